/** Ready-to-paste SDK snippets for a project: its token, and this origin (plus the path prefix) as the host. */
import { pathPrefixOf } from '../../http/paths';
import { publicOrigin, type WebContext } from '../context';

/** Where SDKs should send events: this origin plus the path prefix. */
export function apiHostOf(c: WebContext): string {
  return `${publicOrigin(c)}${pathPrefixOf(c.env.PATH_PREFIX) ?? ''}`;
}

function snippetsOf(token: string, apiHost: string) {
  const t = JSON.stringify(token);
  const h = JSON.stringify(apiHost);
  const body = JSON.stringify({ api_key: token, event: 'hello', distinct_id: 'user-1' });
  return [
    [
      'posthog-js, script tag',
      `<script src=${JSON.stringify(`${apiHost}/static/array.js`)}></script>
<script>
  posthog.init(${t}, { api_host: ${h}, person_profiles: 'identified_only' })
</script>`,
    ],
    [
      'posthog-js, npm',
      `import posthog from 'posthog-js'

posthog.init(${t}, { api_host: ${h}, person_profiles: 'identified_only' })`,
    ],
    [
      'posthog-node',
      `import { PostHog } from 'posthog-node'

const posthog = new PostHog(${t}, { host: ${h} })
posthog.capture({ distinctId: 'user-1', event: 'signed_up' })
await posthog.shutdown()`,
    ],
    [
      'curl',
      `curl -X POST ${apiHost}/i/v0/e/ -H 'Content-Type: application/json' \\
  -d '${body}'`,
    ],
  ] as const;
}

export function SdkSnippets({ c, token }: { c: WebContext; token: string }) {
  return (
    <>
      {snippetsOf(token, apiHostOf(c)).map(([title, text]) => (
        <>
          <h3>{title}</h3>
          <pre class="snippet" data-copy>
            {text}
          </pre>
        </>
      ))}
    </>
  );
}
