import type { Db } from '../db/client';
import type { Project } from '../db/projects';
import { projectDb, projectReadDb } from '../db/shards';
import type { Env } from '../env';

/** What every query kind runs with. `db` is a parameter so a project's shard can be passed in. */
export interface QueryContext {
  db: Db;
  projectId: number;
  /** The project's IANA time zone; buckets, labels and relative dates use it. */
  timezone: string;
  /** "Now" in ms, for relative date ranges. */
  now: number;
}

/**
 * Which copy of the project's shard a query reads: `primary` sees every write at once;
 * `replica` may be served by a D1 read replica, a little stale (`projectReadDb`).
 */
export type QueryReads = 'primary' | 'replica';

/** The context to run queries of `project` with, reading its shard as `reads` says. */
export async function projectQueryContext(
  env: Env,
  project: Pick<Project, 'id' | 'timezone'>,
  reads: QueryReads,
  now: number = Date.now(),
): Promise<QueryContext> {
  const db = reads === 'primary' ? await projectDb(env, project.id) : await projectReadDb(env, project.id);
  return { db, projectId: project.id, timezone: project.timezone, now };
}
