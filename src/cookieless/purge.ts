import { dbOf } from '../db/client';
import { listProjects } from '../db/projects';
import { projectDatabase } from '../db/shards';
import type { Env } from '../env';
import { purgeExpiredCookielessState } from './salts';

/**
 * Deletes expired cookieless salts and bookkeeping in every project database
 * (for the scheduled handler; salt creation also purges lazily).
 */
export async function purgeExpiredCookieless(env: Env, now = Date.now()): Promise<void> {
  const databases = new Set<D1Database>();
  for (const project of await listProjects(dbOf(env.DB))) databases.add(await projectDatabase(env, project.id));
  for (const database of databases) await purgeExpiredCookielessState(dbOf(database), now);
}
