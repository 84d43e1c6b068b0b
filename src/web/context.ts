import type { Context } from 'hono';
import type { Project } from '../db/projects';
import type { Env } from '../env';

/** The web app's bindings: the Worker's, plus where the app is mounted (`/app` or `/ingest/app`). */
export type WebEnv = { Bindings: Env & { WEB_BASE: string }; Variables: { project: Project } };
export type WebContext = Context<WebEnv>;

/**
 * A path inside the app (`/projects/1/persons`) as the browser must ask for it, with query parameters (empty ones left
 * out).
 */
export function appUrl(
  c: WebContext,
  path: string,
  query?: Record<string, string | number | undefined | null>,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return `${c.env.WEB_BASE}${path}${search ? `?${search}` : ''}`;
}

/** The origin the browser sees: a first-party proxy's forwarded host, else the request's own. */
export function publicOrigin(c: WebContext): string {
  const url = new URL(c.req.url);
  const host = c.req.header('X-Forwarded-Host')?.split(',')[0]?.trim();
  const proto = c.req.header('X-Forwarded-Proto')?.split(',')[0]?.trim();
  if (host && /^[A-Za-z0-9.-]+(:\d+)?$/.test(host))
    return `${proto === 'https' || proto === 'http' ? proto : url.protocol.slice(0, -1)}://${host}`;
  return url.origin;
}
