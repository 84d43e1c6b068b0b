import type { MiddlewareHandler } from 'hono';
import { executionCtxOf } from '../http/context';
import { isUnder, pathPrefixOf } from '../http/paths';
import type { AppEnv } from '../env';
import { web } from './routes';

/** Where the app answers for this path: `/app`, `<PATH_PREFIX>/app`, or undefined. */
function webBaseOf(pathname: string, pathPrefix: string | undefined): string | undefined {
  for (const base of ['/app', ...(pathPrefix ? [`${pathPrefix}/app`] : [])]) {
    if (isUnder(pathname, base)) return base;
  }
  return undefined;
}

/**
 * Serves the web app at `/app/` and under `PATH_PREFIX` (`/ingest/app/`), so a site that
 * mounts the Worker first-party under `/ingest` gets the app too. Registered before capture's
 * own prefix handling.
 */
export const webAppMount: MiddlewareHandler<AppEnv> = async (c, next) => {
  const base = webBaseOf(c.req.path, pathPrefixOf(c.env.PATH_PREFIX));
  if (!base) return next();
  const url = new URL(c.req.url);
  if (url.pathname === base) return c.redirect(`${base}/${url.search}`, 301);
  url.pathname = url.pathname.slice(base.length);
  return web.fetch(new Request(url, c.req.raw), { ...c.env, WEB_BASE: base }, executionCtxOf(c));
};
