import { version as SDK_VERSION } from 'posthog-js/package.json';
import type { Env } from '../env';
import { CaptureError } from '../http/capture-errors';

/** Script names in posthog-js's `dist/` (array.js, recorder.js, surveys.js, …). */
const SDK_SCRIPT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.js$/;

/**
 * `/static/<name>.js` from the pinned posthog-js package (its dist/ scripts, copied
 * to the Workers static assets under posthog-js/ by scripts/build-assets.mjs), so the
 * snippet and its lazy extensions load first-party.
 */
export async function sdkScript(env: Env, name: string, request: Request, version?: string): Promise<Response> {
  if (!SDK_SCRIPT_NAME.test(name)) throw notFound(name);
  // Only the pinned package's files are here; another version's SDK falls back to `/static/<name>.js`.
  if (version !== undefined && version !== SDK_VERSION) throw notFound(`${version}/${name}`);
  const headers = new Headers();
  for (const h of ['If-None-Match', 'If-Modified-Since']) {
    const value = request.headers.get(h);
    if (value) headers.set(h, value);
  }
  const asset = await env.ASSETS.fetch(new Request(new URL(`/posthog-js/${name}`, request.url), { headers }));
  if (asset.status !== 200 && asset.status !== 304) throw notFound(name);
  const out = new Headers(asset.headers);
  out.set('Content-Type', 'application/javascript; charset=utf-8');
  out.set('Cache-Control', 'public, max-age=3600');
  return new Response(asset.status === 304 ? null : asset.body, { status: asset.status, headers: out });
}

const notFound = (name: string) => new CaptureError(404, 'not_found', `No SDK script named ${name}.`);
