import { eq, sql } from 'drizzle-orm';
import type { Env } from '../env';
import { dbOf, type Db } from './client';
import { createProject, type Project } from './projects';
import { projects } from './schema';

/**
 * Projects on D1 shards.
 *
 * `env.DB` is the catalog: projects, their tokens, settings and the shard each
 * project lives on. Everything a project owns (persons, distinct ids, merge
 * history, events, warnings, groups, staged events) lives on one shard, a D1
 * binding `SHARD_0` … `SHARD_<n-1>` (wrangler.toml). A project's shard is
 * chosen when it is created (the one with the least data) and never changes,
 * so nothing ever spans shards, a merge included.
 *
 * The API, smallest first:
 * - `projectDatabase(env, id)`: the primary of the project's shard. Every write,
 *   and every read that must see the latest write (ingestion, person objects).
 *   `projectDb(env, id)` is the same, ready for drizzle.
 * - `projectReadDatabase(env, id, bookmark?)`: a D1 session on the same shard
 *   that may read from a nearby replica (REST lists, queries, the web app):
 *   slightly stale, never older than `bookmark` when one is given (`projectReadDb`: the same, for drizzle).
 * - `catalogReadDatabase(env)`: the same for the catalog (token lookups).
 * - `createPlacedProject(env, name)`: a new project, on the shard with the least
 *   data (`placeNewProject`); the one way the API and the web app create one.
 * - `shardDatabases(env)`, `shardSizeBytes(db)`: the pool and each one's size,
 *   for retention and the storage figures.
 *
 * Locally there are no replicas; the sessions still run and read the primary.
 */

/** The shard databases of this Worker, `SHARD_0` … `SHARD_<n-1>`, in order. */
export function shardDatabases(env: Env): D1Database[] {
  const shards: D1Database[] = [];
  for (let shard = 0; ; shard++) {
    const db = env[`SHARD_${shard}`];
    if (!db) break;
    shards.push(db);
  }
  if (shards.length === 0) throw new Error('No shard is bound: declare SHARD_0 in wrangler.toml.');
  return shards;
}

export class UnknownProjectError extends Error {
  constructor(readonly projectId: number) {
    super(`project ${projectId} is not in the catalog`);
  }
}

const MAX_CACHED = 100_000;
/** Project id → shard index. A project never moves, so an entry never goes stale. */
const shardOfProject = new Map<number, number>();

/** Records a project's shard learnt elsewhere (project creation, token lookup), sparing a catalog read. */
export function rememberProjectShard(projectId: number, shard: number): void {
  if (shardOfProject.size >= MAX_CACHED) shardOfProject.clear();
  shardOfProject.set(projectId, shard);
}

/** The index of the project's shard, from this isolate's cache or the catalog's primary. */
export async function projectShard(env: Env, projectId: number): Promise<number> {
  const cached = shardOfProject.get(projectId);
  if (cached !== undefined) return cached;
  const row = await dbOf(env.DB)
    .select({ shard: projects.shard })
    .from(projects)
    .where(eq(projects.id, projectId))
    .get();
  if (!row) throw new UnknownProjectError(projectId);
  rememberProjectShard(projectId, row.shard);
  return row.shard;
}

/**
 * The D1 database holding a project's own data (its shard's primary). Every
 * path that reads or writes a project's data gets its database here or from
 * `projectReadDatabase`.
 */
export async function projectDatabase(env: Env, projectId: number): Promise<D1Database> {
  const shard = await projectShard(env, projectId);
  const db = env[`SHARD_${shard}`];
  if (!db) throw new Error(`project ${projectId} lives on shard ${shard}, but SHARD_${shard} is not bound`);
  return db;
}

/** `projectDatabase`, ready for drizzle: how a project's data is read and written. */
export async function projectDb(env: Env, projectId: number): Promise<Db> {
  return dbOf(await projectDatabase(env, projectId));
}

/**
 * A read-only view of the project's shard that may be served by a D1 read
 * replica (Sessions API): for reads that tolerate a little staleness. With a
 * bookmark (from a session's `getBookmark()`), reads are at least that fresh.
 */
export async function projectReadDatabase(env: Env, projectId: number, bookmark?: string): Promise<D1Database> {
  return asDatabase((await projectDatabase(env, projectId)).withSession(bookmark ?? 'first-unconstrained'));
}

/** `projectReadDatabase`, ready for drizzle. */
export async function projectReadDb(env: Env, projectId: number, bookmark?: string): Promise<Db> {
  return dbOf(await projectReadDatabase(env, projectId, bookmark));
}

/** The catalog through a session that may read a replica. */
export function catalogReadDatabase(env: Env): D1Database {
  return asDatabase(env.DB.withSession('first-unconstrained'));
}

/**
 * drizzle and this code use only `prepare` and `batch`, which a session has
 * too; a session must never be written through (reads only).
 */
const asDatabase = (session: D1DatabaseSession) => session as unknown as D1Database;

/** The size of a D1 database in bytes, as D1 reports it after a query. */
export async function shardSizeBytes(db: D1Database): Promise<number> {
  const result = await db.prepare('SELECT 1').run();
  return result.meta.size_after;
}

/**
 * Where a new project goes: the shard with the least data; on a tie, the one
 * with fewer projects; then the lowest index.
 */
export function leastLoadedShard(sizes: number[], projectCounts: number[]): number {
  let best = 0;
  for (let shard = 1; shard < sizes.length; shard++) {
    const size = sizes[shard]!;
    const bestSize = sizes[best]!;
    if (size < bestSize || (size === bestSize && (projectCounts[shard] ?? 0) < (projectCounts[best] ?? 0)))
      best = shard;
  }
  return best;
}

/** The shard for a project about to be created (see `leastLoadedShard`). */
export async function placeNewProject(env: Env): Promise<number> {
  const shards = shardDatabases(env);
  const [sizes, counts] = await Promise.all([
    Promise.all(shards.map(shardSizeBytes)),
    dbOf(env.DB).select({ shard: projects.shard, n: sql<number>`count(*)` }).from(projects).groupBy(projects.shard),
  ]);
  const projectCounts = shards.map((_, shard) => counts.find((c) => c.shard === shard)?.n ?? 0);
  return leastLoadedShard(sizes, projectCounts);
}

/** Creates a project in the catalog, placed on the shard with the least data. */
export async function createPlacedProject(env: Env, name: string): Promise<Project> {
  const project = await createProject(dbOf(env.DB), name, await placeNewProject(env));
  rememberProjectShard(project.id, project.shard);
  return project;
}
