// What the pipeline stored, read straight from D1 (no REST API in between).
import { and, eq, inArray } from 'drizzle-orm';
import { events, ingestionWarnings, personDistinctIds, persons } from '../../src/db/schema';
import { projectDatabase, shardDatabases } from '../../src/db/shards';
import { dbFor, env } from './worker';

export type StoredEvent = typeof events.$inferSelect;

/** D1 binds at most 100 parameters per statement. */
const IN_LIST = 90;

/** The stored events of a project among `uuids`, by uuid. */
export async function storedEvents(projectId: number, uuids: string[]): Promise<Map<string, StoredEvent>> {
  const found = new Map<string, StoredEvent>();
  const wanted = [...new Set(uuids)];
  const db = await dbFor(projectId);
  for (let i = 0; i < wanted.length; i += IN_LIST) {
    const rows = await db
      .select()
      .from(events)
      .where(and(eq(events.projectId, projectId), inArray(events.uuid, wanted.slice(i, i + IN_LIST))));
    for (const row of rows) found.set(row.uuid, row);
  }
  return found;
}

export async function storedUuids(projectId: number, uuids: string[]): Promise<Set<string>> {
  return new Set((await storedEvents(projectId, uuids)).keys());
}

export async function eventRow(projectId: number, uuid: string) {
  return (await dbFor(projectId))
    .select()
    .from(events)
    .where(and(eq(events.projectId, projectId), eq(events.uuid, uuid)))
    .get();
}

export interface PersonView {
  id: string;
  distinctIds: string[];
  properties: Record<string, unknown>;
  isIdentified: boolean;
  version: number;
  createdAt: string;
}

/** Every person of a project with its distinct ids (sorted), keyed by nothing: a plain list. */
export async function personsOf(projectId: number): Promise<PersonView[]> {
  const db = await dbFor(projectId);
  const rows = await db.select().from(persons).where(eq(persons.projectId, projectId));
  const ids = await db.select().from(personDistinctIds).where(eq(personDistinctIds.projectId, projectId));
  return rows.map((p) => ({
    id: p.id,
    distinctIds: ids
      .filter((d) => d.personId === p.id)
      .map((d) => d.distinctId)
      .sort(),
    properties: p.properties,
    isIdentified: p.isIdentified,
    version: p.version,
    createdAt: p.createdAt,
  }));
}

export async function personOf(projectId: number, distinctId: string): Promise<PersonView | undefined> {
  return (await personsOf(projectId)).find((p) => p.distinctIds.includes(distinctId));
}

export async function warningsOf(projectId: number) {
  return (await dbFor(projectId)).select().from(ingestionWarnings).where(eq(ingestionWarnings.projectId, projectId));
}

/** `SELECT COUNT(*) AS n ...` with its parameters, summed over every database: the catalog and all shards. */
export async function countRows(sql: string, ...params: unknown[]): Promise<number> {
  const counts = await Promise.all(
    [env.DB, ...shardDatabases(env)].map((db) =>
      db
        .prepare(sql)
        .bind(...params)
        .first<{ n: number }>(),
    ),
  );
  return counts.reduce((sum, row) => sum + (row?.n ?? 0), 0);
}

/** `SELECT COUNT(*) AS n ...` with its parameters, on the project's own shard. */
export async function countProjectRows(projectId: number, sql: string, ...params: unknown[]): Promise<number> {
  const row = await (await projectDatabase(env, projectId))
    .prepare(sql)
    .bind(...params)
    .first<{ n: number }>();
  return row?.n ?? 0;
}
