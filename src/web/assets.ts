import type { WebContext } from './context';

/** The app's own scripts and styles and the chart library, from the Worker's assets (`webapp/`). */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(js|css)$/;

export async function serveAsset(c: WebContext, name: string): Promise<Response> {
  if (!ASSET_NAME.test(name)) return c.text('Not found', 404);
  const headers = new Headers();
  const etag = c.req.header('If-None-Match');
  if (etag) headers.set('If-None-Match', etag);
  const asset = await c.env.ASSETS.fetch(new Request(new URL(`/webapp/${name}`, c.req.url), { headers }));
  if (asset.status !== 200 && asset.status !== 304) return c.text('Not found', 404);
  const out = new Headers(asset.headers);
  out.set('Content-Type', name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
  // Short-lived, then revalidated by ETag: a new deploy's scripts reach pages within minutes.
  out.set('Cache-Control', 'public, max-age=300, must-revalidate');
  return new Response(asset.status === 304 ? null : asset.body, { status: asset.status, headers: out });
}
