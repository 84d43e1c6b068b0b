import type { Context } from 'hono';

/**
 * The request's ExecutionContext, for handing a request on to a sub-app's `fetch`
 * (capture under `PATH_PREFIX`, the web app). Undefined where there is none: Hono's
 * getter throws when the app was called without one (tests calling `app.request`).
 */
export function executionCtxOf<C extends Context>(c: C): C['executionCtx'] | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}
