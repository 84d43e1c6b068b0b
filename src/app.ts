import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { api } from './api';
import { ApiError, apiErrorResponse } from './api/errors';
import { capture, captureUnderPathPrefix, isRootEventPath, readiness, serviceInfo } from './capture/routes';
import type { AppEnv, Env } from './env';
import { resendAfterRestart } from './queue/journal';
import { webAppMount } from './web/mount';

export const app = new Hono<AppEnv>({ strict: false });

// The web app first: it also answers under PATH_PREFIX (`/ingest/app/`), which capture would take.
app.use('*', webAppMount);
app.use('*', captureUnderPathPrefix);
app.route('/api', api);

app.get('/_readiness', readiness);
app.get('/', serviceInfo);
app.route('/', capture);

app.notFound((c) =>
  c.json(
    {
      type: 'invalid_request',
      code: 'not_found',
      detail: `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`,
    },
    404,
  ),
);

app.onError((err, c) => {
  if (err instanceof ApiError) return apiErrorResponse(c, err);
  if (err instanceof HTTPException && err.status < 500) {
    return c.json(
      { type: 'invalid_request', code: 'invalid_request', detail: err.message || 'Bad request.' },
      err.status,
    );
  }
  console.error('unhandled error', err instanceof Error ? err.stack : String(err));
  return c.json({ type: 'server_error', code: 'internal_error', detail: 'Internal server error.' }, 500);
});

/**
 * The Worker's fetch. Capture's event routes at the root, the hot path, go straight to
 * the capture sub-app: `app` merges the whole REST API into one route table, which Hono
 * can only match with its trie router (about a tenth of a millisecond a request).
 * Everything else, including capture under PATH_PREFIX, goes through `app`.
 */
export const fetchWorker = (request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> => {
  resendAfterRestart(env, ctx);
  return isRootEventPath(new URL(request.url).pathname, env.PATH_PREFIX)
    ? capture.fetch(request, env, ctx)
    : app.fetch(request, env, ctx);
};
