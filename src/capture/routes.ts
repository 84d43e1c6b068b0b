import { Hono, type Context, type Handler, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { executionCtxOf } from '../http/context';
import { isUnder, pathPrefixOf } from '../http/paths';
import { captureEvents } from './capture';
import { proxyConfigProblem } from './sender';
import { captureCors, setCorsHeaders } from './cors';
import { CaptureError, captureErrorResponse } from '../http/capture-errors';
import { decideResponse, flagsResponse, remoteConfig, remoteConfigScript } from './sdk-config';
import { sdkScript } from './static';

/** The event routes of every PostHog SDK (spec: capture-protocol.md, Routes). */
const EVENT_PATHS = ['/e', '/i/v0/e', '/capture', '/track', '/engage', '/batch'];
/** posthog-js's session recording uploads (`$snapshot` batches). */
const RECORDING_PATH = '/s';
const CONFIG_PATH = '/array/:token/config';
const CONFIG_SCRIPT_PATH = '/array/:token/config.js';
const STATIC_PATH = '/static/:name';
/** posthog-js asks for `/static/<its version>/<name>.js` first (strict_script_versioning). */
const VERSIONED_STATIC_PATH = '/static/:version/:name';
const ALL_PATHS = [
  ...EVENT_PATHS,
  RECORDING_PATH,
  '/flags',
  '/decide',
  CONFIG_PATH,
  CONFIG_SCRIPT_PATH,
  STATIC_PATH,
  VERSIONED_STATIC_PATH,
  '/',
  '/_readiness',
];
const GET_POST = ['GET', 'POST'];

const projectToken = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/);

/**
 * The capture sub-app, mounted at `/` and under `PATH_PREFIX`. Middleware is
 * registered per path (never `*`) so that mounting it at `/` leaves `/api` alone.
 */
export const capture = new Hono<AppEnv>({ strict: false });

for (const path of ALL_PATHS) {
  capture.use(path, captureCors);
  capture.options(path, (c) => c.body(null, 200));
}

for (const path of EVENT_PATHS) {
  capture.on(GET_POST, path, async (c) => {
    await captureEvents(c.req.raw, c.env, { engage: path === '/engage' });
    if (c.req.query('beacon') === '1') return c.body(null, 204);
    return c.json({ status: 1 }, 200);
  });
}

/**
 * Recordings are not stored (remote config says `sessionRecording: false`). An
 * SDK that uploads anyway gets what PostHog's capture answers for a project
 * without recordings, `{"status": 1}`: the body is not read, nothing is stored,
 * and nothing is retried.
 */
capture.on(GET_POST, RECORDING_PATH, async (c) => {
  await c.req.raw.body?.cancel();
  if (c.req.query('beacon') === '1') return c.body(null, 204);
  return c.json({ status: 1 }, 200);
});

capture.on(GET_POST, '/flags', (c) => c.json(flagsResponse()));
capture.on(GET_POST, '/decide', (c) => c.json(decideResponse()));
capture.on(GET_POST, CONFIG_PATH, (c) => {
  tokenParam(c);
  return c.json(remoteConfig());
});
capture.on(GET_POST, CONFIG_SCRIPT_PATH, (c) =>
  c.body(remoteConfigScript(tokenParam(c)), 200, { 'Content-Type': 'application/javascript; charset=utf-8' }),
);
capture.on(GET_POST, STATIC_PATH, (c) => sdkScript(c.env, c.req.param('name') ?? '', c.req.raw));
capture.on(GET_POST, VERSIONED_STATIC_PATH, (c) =>
  sdkScript(c.env, c.req.param('name') ?? '', c.req.raw, c.req.param('version')),
);

/** `GET /`: which service this is, in the shape of capture's answers (also the app's, at the root). */
export const serviceInfo: Handler<AppEnv> = (c) => c.json({ status: 1, service: 'posthog-edge-ingest' });

/** `GET /_readiness` (also the app's, at the root): 503 with the problem while the proxy settings are malformed. */
export const readiness: Handler<AppEnv> = (c) => {
  const problem = proxyConfigProblem(c.env);
  return problem ? c.text(problem, 503) : c.text('ok');
};

capture.get('/_readiness', readiness);
capture.get('/', serviceInfo);

// Reached only under PATH_PREFIX (at the root, the app's own notFound answers).
capture.notFound((c) => {
  const res = captureErrorResponse(
    c,
    new CaptureError(404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`),
  );
  setCorsHeaders(c.req.raw, res.headers);
  return res;
});

capture.onError((err, c) => {
  if (err instanceof CaptureError) return captureErrorResponse(c, err);
  console.error('capture failed', err instanceof Error ? err.stack : String(err));
  return captureErrorResponse(c, new CaptureError(500, 'internal_error', 'Internal error.'));
});

function tokenParam(c: Context<AppEnv>): string {
  const parsed = projectToken.safeParse(c.req.param('token'));
  if (!parsed.success) throw new CaptureError(400, 'invalid_token', 'The project token in the path is not valid.');
  // Never echo a personal key back into a script a page (or a cache) keeps.
  if (parsed.data.startsWith('phx_'))
    throw new CaptureError(401, 'invalid_token', 'That is a personal API key, not a project token (phc_...).');
  return parsed.data;
}

const EVENT_PATH_SET = new Set(EVENT_PATHS);

/**
 * Whether a path is one of capture's event routes at the root (`/e/`, `/batch`, …) and
 * not under `PATH_PREFIX` (which the app strips first): the Worker sends these straight
 * to `capture`, the same routes the app would reach for them.
 */
export function isRootEventPath(pathname: string, pathPrefix: string | undefined): boolean {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (!EVENT_PATH_SET.has(path)) return false;
  const prefix = pathPrefixOf(pathPrefix);
  return !prefix || !isUnder(pathname, prefix);
}

/**
 * Serves the capture routes under `PATH_PREFIX` (first-party mounting, e.g.
 * `https://example.com/ingest/e/`): strips the prefix and hands the request to `capture`.
 */
export const captureUnderPathPrefix: MiddlewareHandler<AppEnv> = async (c, next) => {
  const prefix = pathPrefixOf(c.env.PATH_PREFIX);
  const path = c.req.path;
  if (!prefix || !isUnder(path, prefix)) return next();
  const url = new URL(c.req.url);
  url.pathname = url.pathname.slice(prefix.length) || '/';
  return capture.fetch(new Request(url, c.req.raw), c.env, executionCtxOf(c));
};
