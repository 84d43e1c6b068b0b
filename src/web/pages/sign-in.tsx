import { Flash, Layout } from '../ui';
import { appUrl, type WebContext } from '../context';

export function signInPage(c: WebContext, { error }: { error?: string }) {
  return (
    <Layout c={c} title="Sign in" signedIn={false}>
      <section class="narrow card">
        <h1>Sign in</h1>
        <p>
          Use this server's personal API key (the <code>PERSONAL_API_KEY</code> secret, <code>phx_…</code>).
        </p>
        {error && <Flash kind="error">{error}</Flash>}
        <form method="post" action={appUrl(c, '/login')} class="stack">
          <label>
            Personal API key
            <input type="password" name="key" autocomplete="current-password" required autofocus />
          </label>
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}
