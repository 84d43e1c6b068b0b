import type { Handler } from 'hono';
import { proxyConfigProblem } from '../capture/client';
import type { AppEnv } from '../env';

/**
 * The service's own routes, answered at the root by the app and under `PATH_PREFIX`
 * by capture: `GET /` (which service this is) and `GET /_readiness`.
 */

/** `GET /`: the service's name, in the shape of capture's answers. */
export const serviceInfo: Handler<AppEnv> = (c) => c.json({ status: 1, service: 'posthog-edge-ingest' });

/** `GET /_readiness`: 503 with the problem while the proxy settings are malformed, else `ok`. */
export const readiness: Handler<AppEnv> = (c) => {
  const problem = proxyConfigProblem(c.env);
  return problem ? c.text(problem, 503) : c.text('ok');
};
