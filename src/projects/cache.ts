/**
 * Each isolate's short-lived cache of projects by token, with the settings capture
 * needs. Capture reads through it; the REST API and the web app drop a project from
 * it when they change its settings.
 */
import { dbOf } from '../db/client';
import { captureProjectOfToken, type CaptureProject } from '../db/projects';
import { catalogReadDatabase, rememberProjectShard } from '../db/shards';
import type { Env } from '../env';

/** How long capture may keep using a project's settings after a change (README: project settings). */
export const PROJECT_CACHE_TTL_MS = 30_000;
const MISSING_TTL_MS = 5_000;
const MAX_CACHED = 10_000;
const cache = new Map<string, { project: CaptureProject | undefined; until: number }>();

/**
 * The project a token belongs to, or undefined when none, cached for a short while. A
 * cache miss reads the catalog through a read replica, and the primary only when the
 * replica does not know the token (it may lag behind a project just created). Throws
 * when the catalog cannot be read.
 */
export async function cachedProjectOfToken(
  env: Env,
  token: string,
  now = Date.now(),
): Promise<CaptureProject | undefined> {
  let hit = cache.get(token);
  if (!hit || hit.until <= now) {
    const project =
      (await captureProjectOfToken(dbOf(catalogReadDatabase(env)), token)) ??
      (await captureProjectOfToken(dbOf(env.DB), token));
    if (cache.size >= MAX_CACHED) cache.clear();
    hit = { project, until: now + (project === undefined ? MISSING_TTL_MS : PROJECT_CACHE_TTL_MS) };
    cache.set(token, hit);
    if (project) rememberProjectShard(project.id, project.shard);
  }
  return hit.project;
}

/** Drops this isolate's cached settings of a project (other isolates pick a change up within PROJECT_CACHE_TTL_MS). */
export function forgetCachedProject(projectId: number): void {
  for (const [token, hit] of cache) if (hit.project?.id === projectId) cache.delete(token);
}
