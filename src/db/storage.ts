import { and, eq, gt, sql } from 'drizzle-orm';
import type { Env } from '../env';
import { dbOf } from './client';
import { events, ingestionWarnings, persons, projects } from './schema';
import { writeWarnings, warningRowsOf } from './warning-writes';
import { projectReadDb, projectShard, shardDatabases, shardSizeBytes } from './shards';

/** D1's size limit per database (paid plan); `SHARD_LIMIT_BYTES` overrides it (e.g. 500 MB on the free plan). */
export const D1_DATABASE_LIMIT_BYTES = 10 * 1000 ** 3;
/** Past this share of its limit a shard logs and warns (README: Scaling, when to add a shard). */
const SHARD_FILL_WARNING = 0.8;

const shardLimitBytes = (env: Env) => Number(env.SHARD_LIMIT_BYTES) || D1_DATABASE_LIMIT_BYTES;

interface ShardFill {
  shard: number;
  bytes: number;
  limitBytes: number;
  /** bytes / limitBytes. */
  fill: number;
}

async function shardFill(env: Env, shard: number): Promise<ShardFill> {
  const db = env[`SHARD_${shard}`];
  if (!db) throw new Error(`SHARD_${shard} is not bound`);
  const bytes = await shardSizeBytes(db);
  const limitBytes = shardLimitBytes(env);
  return { shard, bytes, limitBytes, fill: bytes / limitBytes };
}

export interface ProjectStorage {
  events: number;
  persons: number;
  /**
   * The project's rows as stored (text and JSON bytes, without index overhead): an estimate of
   * its share of the shard.
   */
  bytes: number;
  shard: ShardFill;
}

/**
 * What a project stores and how full its shard is. Counts scan the project's
 * rows (through a read replica), so this is for a project page, not a hot path.
 */
export async function projectStorage(env: Env, projectId: number): Promise<ProjectStorage> {
  const db = await projectReadDb(env, projectId);
  const bytesOf = (...columns: unknown[]) =>
    sql<number>`coalesce(sum(${sql.join(
      columns.map((c) => sql`length(CAST(${c} AS BLOB))`),
      sql` + `,
    )}), 0)`;
  const [eventTotals, personTotals, shard] = await Promise.all([
    db
      .select({
        n: sql<number>`count(*)`,
        bytes: bytesOf(
          events.uuid,
          events.event,
          events.distinctId,
          events.personIdAtIngest,
          events.properties,
          events.timestamp,
        ),
      })
      .from(events)
      .where(eq(events.projectId, projectId))
      .get(),
    db
      .select({ n: sql<number>`count(*)`, bytes: bytesOf(persons.id, persons.properties, persons.createdAt) })
      .from(persons)
      .where(eq(persons.projectId, projectId))
      .get(),
    projectShard(env, projectId).then((shard) => shardFill(env, shard)),
  ]);
  return {
    events: eventTotals?.n ?? 0,
    persons: personTotals?.n ?? 0,
    bytes: (eventTotals?.bytes ?? 0) + (personTotals?.bytes ?? 0),
    shard,
  };
}

const WARN_AGAIN_AFTER_MS = 24 * 3_600_000;

/**
 * Checks every shard's fill level; past SHARD_FILL_WARNING of its limit, logs a
 * line and gives each project on it a `shard_nearly_full` ingestion warning (at
 * most one a day per project). Returns the fill of every shard.
 */
export async function checkShardFill(
  env: Env,
  {
    now = Date.now(),
    onlyProjects,
  }: { now?: number /** Warn only these projects (tests share databases). */; onlyProjects?: number[] } = {},
): Promise<ShardFill[]> {
  const fills = await Promise.all(shardDatabases(env).map((_, shard) => shardFill(env, shard)));
  for (const fill of fills) {
    if (fill.fill < SHARD_FILL_WARNING) continue;
    console.warn(
      `shard SHARD_${fill.shard} is ${(fill.fill * 100).toFixed(1)}% full ` +
        `(${fill.bytes} of ${fill.limitBytes} bytes): add a shard (README: Scaling)`,
    );
    const onShard = await dbOf(env.DB).select({ id: projects.id }).from(projects).where(eq(projects.shard, fill.shard));
    const db = dbOf(shardDatabases(env)[fill.shard]!);
    const since = new Date(now - WARN_AGAIN_AFTER_MS).toISOString();
    for (const { id: projectId } of onShard) {
      if (onlyProjects && !onlyProjects.includes(projectId)) continue;
      const recent = await db
        .select({ id: ingestionWarnings.id })
        .from(ingestionWarnings)
        .where(
          and(
            eq(ingestionWarnings.projectId, projectId),
            eq(ingestionWarnings.type, 'shard_nearly_full'),
            gt(ingestionWarnings.timestamp, since),
          ),
        )
        .get();
      if (recent) continue;
      const { shard, bytes, limitBytes } = fill;
      const warning = {
        type: 'shard_nearly_full',
        details: { shard, bytes, limitBytes, fill: Number(fill.fill.toFixed(4)) },
      };
      await writeWarnings(db, warningRowsOf(projectId, null, [warning], new Date(now).toISOString()));
    }
  }
  return fills;
}
