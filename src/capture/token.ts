import { dbOf } from '../db/client';
import { captureProjectOfToken, type CaptureProject } from '../db/projects';
import { catalogReadDatabase, rememberProjectShard } from '../db/shards';
import type { Env } from '../env';
import { CaptureError, badRequest } from './errors';
import { MAX_TOKEN_CHARS } from './limits';
import type { CaptureBatch, RawEvent } from './shapes';

/**
 * The project token of a request: batch-level `api_key`/`token` wins; else each
 * event's `token`, `$token`, `api_key` or `properties.token`, which must agree.
 */
export function tokenOf(batch: CaptureBatch): string {
  const batchToken = clean(batch.token);
  if (batchToken) return checked(batchToken);
  const tokens = new Set<string>();
  for (const event of batch.events) {
    const token = eventToken(event);
    if (token) tokens.add(token);
  }
  if (tokens.size > 1)
    throw badRequest(
      'mixed_tokens',
      `The request mixes ${tokens.size} different project tokens; send one project's events per request.`,
    );
  const [token] = tokens;
  if (!token)
    throw new CaptureError(
      401,
      'no_token',
      'No project token: set `api_key` or `token` on the batch, or `token` / `properties.token` on the events.',
    );
  return checked(token);
}

function eventToken(event: RawEvent): string | undefined {
  const fromProperties = event.properties?.token;
  return (
    clean(event.token) ||
    clean(event.$token) ||
    clean(event.api_key) ||
    clean(typeof fromProperties === 'string' ? fromProperties : undefined)
  );
}

const clean = (token: string | null | undefined) => token?.trim() || undefined;

function checked(token: string): string {
  if (token.startsWith('phx_'))
    throw new CaptureError(401, 'invalid_token', 'That is a personal API key, not a project token (phc_...).');
  // Not worth a lookup (and D1 refuses very long parameters, which would look like an outage).
  if (token.length > MAX_TOKEN_CHARS) throw new CaptureError(401, 'invalid_token', 'Unknown project token.');
  return token;
}

/** How long capture may keep using a project's settings after a change (README: project settings). */
export const PROJECT_CACHE_TTL_MS = 30_000;
const MISSING_TTL_MS = 5_000;
const MAX_CACHED = 10_000;
const cache = new Map<string, { project: CaptureProject | undefined; until: number }>();

/**
 * The project a token belongs to, with the settings capture needs, cached per
 * isolate for a short while; 401 when none. A cache miss reads the catalog
 * through a read replica, and the primary only when the replica does not know
 * the token (it may lag behind a project just created).
 */
export async function projectForToken(env: Env, token: string, now = Date.now()): Promise<CaptureProject> {
  let hit = cache.get(token);
  if (!hit || hit.until <= now) {
    let project: CaptureProject | undefined;
    try {
      project =
        (await captureProjectOfToken(dbOf(catalogReadDatabase(env)), token)) ??
        (await captureProjectOfToken(dbOf(env.DB), token));
    } catch (err) {
      console.error('project lookup failed', err instanceof Error ? err.message : String(err));
      throw new CaptureError(503, 'unavailable', 'Temporarily unable to check the project token; retry later.');
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    hit = { project, until: now + (project === undefined ? MISSING_TTL_MS : PROJECT_CACHE_TTL_MS) };
    cache.set(token, hit);
    if (project) rememberProjectShard(project.id, project.shard);
  }
  if (hit.project === undefined) throw new CaptureError(401, 'invalid_token', 'Unknown project token.');
  return hit.project;
}

/** Drops this isolate's cached settings of a project (other isolates pick a change up within PROJECT_CACHE_TTL_MS). */
export function forgetCachedProject(projectId: number): void {
  for (const [token, hit] of cache) if (hit.project?.id === projectId) cache.delete(token);
}
