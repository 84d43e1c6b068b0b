import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { Layout } from './ui';
import type { WebContext } from './context';

/** A full page, with its doctype. */
export async function render(c: WebContext, page: JSX.Element, status: ContentfulStatusCode = 200): Promise<Response> {
  return c.html(`<!doctype html>${await page}`, status);
}

export const notFoundPage = (c: WebContext, message: string) =>
  render(
    c,
    <Layout c={c} title="Not found" project={c.get('project')}>
      <h1>Not found</h1>
      <p>{message}</p>
    </Layout>,
    404,
  );
