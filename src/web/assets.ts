import type { WebContext } from './context';

/** The app's own scripts and styles and the chart library, from the Worker's assets (`webapp/`). */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.(js|css)$/;

export async function serveAsset(c: WebContext, name: string): Promise<Response> {
  if (!ASSET_NAME.test(name)) return c.text('Not found', 404);
  const asset = await c.env.ASSETS.fetch(new Request(new URL(`/webapp/${name}`, c.req.url)));
  if (asset.status !== 200) return c.text('Not found', 404);
  const headers = new Headers(asset.headers);
  headers.set('Content-Type', name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
  // Page URLs carry the asset version, so a cached copy is never stale for long.
  headers.set('Cache-Control', 'public, max-age=86400');
  return new Response(asset.body, { status: 200, headers });
}
