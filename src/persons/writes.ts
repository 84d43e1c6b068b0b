/**
 * Every write to persons, their distinct ids and their history goes through
 * this module, and keeps one invariant: a person write is ONE atomic D1 batch
 * that starts with guards on what it was computed from (person versions, who
 * owns which distinct ids). A failed guard inserts a row violating the CHECK on
 * `write_guards` (a lost race for a distinct id fails its unique key), D1 rolls
 * the whole batch back, and `writeAtomically` answers false: the writer re-reads
 * and tries again. Events and warnings of a step ride in the same batch, so an
 * event is stored exactly when its person changes are.
 *
 * The database is always a parameter (`db`), never a global.
 */
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { MAX_PARAMS, chunk } from '../db/chunk';
import { events, ingestionWarnings, personDistinctIds, personMerges, persons } from '../db/schema';

export type PersonRow = typeof persons.$inferSelect;
export type EventRow = typeof events.$inferInsert;
export type WarningRow = typeof ingestionWarnings.$inferInsert;
export type HistoryRow = typeof personMerges.$inferInsert;

/** A D1 statement, ready to run in an atomic batch. */
export type Statement = D1PreparedStatement;

const dialect = new SQLiteAsyncDialect();

/**
 * Drizzle builds the SQL (a query builder or a `sql` template); D1 runs it.
 * (Drizzle's own batch() cannot carry raw `sql` statements with parameters, which the guards need.)
 */
export function statementOf(db: Db, query: SQL | { toSQL(): { sql: string; params: unknown[] } }): Statement {
  const { sql: text, params } = 'toSQL' in query ? query.toSQL() : dialect.sqlToQuery(query);
  return db.$client.prepare(text).bind(...params);
}

/** True when D1 refused a batch because a guard or a unique key said the state moved on. */
function isWriteConflict(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const message = e instanceof Error ? e.message : String(e);
    if (/CHECK constraint failed|UNIQUE constraint failed|PRIMARY KEY constraint failed/i.test(message)) return true;
  }
  return false;
}

/** Runs statements as one atomic D1 batch. Returns false when a guard or unique key refused it. */
export async function writeAtomically(db: Db, statements: Statement[]): Promise<boolean> {
  if (statements.length === 0) return true;
  try {
    await db.$client.batch(statements);
    return true;
  } catch (error) {
    if (isWriteConflict(error)) return false;
    throw error;
  }
}

/** Runs unguarded inserts (events, warnings) in D1 batches of a bounded size (not atomic across batches). */
export async function writeInBatches(db: Db, statements: Statement[], perBatch = 200): Promise<void> {
  for (const part of chunk(statements, perBatch)) await db.$client.batch(part);
}

// --- Guards: each aborts the whole batch when its expectation is false.

/** The one guard builder. */
export const guard = (db: Db, expectation: SQL): Statement =>
  statementOf(db, sql`INSERT INTO write_guards (ok) SELECT 0 WHERE NOT (${expectation})`);

export interface Expected {
  /** Persons that must still be at these versions. */
  versions?: [personId: string, version: number][];
  /** Distinct ids that must still belong to these persons. */
  owners?: [distinctId: string, personId: string][];
}

/** One guard statement (or a few, within D1's parameter limit) for all of a write's expectations. */
export function guardUnchanged(db: Db, projectId: number, { versions = [], owners = [] }: Expected): Statement[] {
  const conditions: SQL[] = [
    ...versions.map(
      ([id, version]) => sql`EXISTS (SELECT 1 FROM persons WHERE id = ${id} AND project_id = ${projectId} AND version = ${version})`,
    ),
    ...owners.map(
      ([distinctId, personId]) =>
        sql`EXISTS (SELECT 1 FROM person_distinct_ids WHERE project_id = ${projectId} AND distinct_id = ${distinctId} AND person_id = ${personId})`,
    ),
  ];
  return chunk(conditions, Math.floor(MAX_PARAMS / 3)).map((part) => guard(db, sql.join(part, sql` AND `)));
}

// --- Writes.

export const insertPerson = (db: Db, row: PersonRow) => statementOf(db, db.insert(persons).values(row));

export const updatePerson = (db: Db, row: PersonRow) =>
  statementOf(
    db,
    db
      .update(persons)
      .set({ properties: row.properties, propertyWrites: row.propertyWrites, isIdentified: row.isIdentified, createdAt: row.createdAt, version: row.version })
      .where(eq(persons.id, row.id)),
  );

export const deletePersonRow = (db: Db, id: string) => statementOf(db, db.delete(persons).where(eq(persons.id, id)));

/** Claims a distinct id for a person; a unique-key failure means someone else owns it now. */
export const claimDistinctId = (db: Db, projectId: number, distinctId: string, personId: string) =>
  statementOf(db, db.insert(personDistinctIds).values({ projectId, distinctId, personId }));

export const moveDistinctIds = (db: Db, projectId: number, fromPersonId: string, toPersonId: string) =>
  statementOf(
    db,
    db
      .update(personDistinctIds)
      .set({ personId: toPersonId })
      .where(and(eq(personDistinctIds.projectId, projectId), eq(personDistinctIds.personId, fromPersonId))),
  );

export const insertHistory = (db: Db, row: HistoryRow) => statementOf(db, db.insert(personMerges).values(row));

/**
 * The record of merging `source` into `target`, with the source's distinct ids
 * (read inside the same batch, so it must run before they move) in
 * `details.moved_distinct_ids`.
 */
export const insertMergeRecord = (db: Db, row: HistoryRow & { details: Record<string, unknown> }): Statement =>
  statementOf(
    db,
    sql`INSERT INTO person_merges (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
       SELECT ${row.id}, ${row.projectId}, ${row.sourcePersonId}, ${row.targetPersonId}, ${row.kind}, ${row.eventUuid ?? null},
         json_set(${JSON.stringify(row.details)}, '$.moved_distinct_ids', json((
           SELECT json_group_array(distinct_id) FROM (
             SELECT distinct_id FROM person_distinct_ids WHERE project_id = ${row.projectId} AND person_id = ${row.sourcePersonId} ORDER BY rowid)))),
         ${row.at}`,
  );

/** Event rows, stored once per (project, uuid): a re-sent event is ignored. */
export const insertEvents = (db: Db, rows: EventRow[]): Statement[] =>
  chunkByParams(rows, boundParamsOf).map((part) => statementOf(db, db.insert(events).values(part).onConflictDoNothing()));

/** Values drizzle binds for a row (an undefined column, e.g. an event's missing `group_N`, becomes a `null` literal). */
const boundParamsOf = (row: object) => Object.values(row).filter((v) => v !== undefined).length;

/** Consecutive rows in parts whose bound parameters stay within D1's limit. */
function chunkByParams<T extends object>(rows: T[], paramsOf: (row: T) => number): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let params = 0;
  for (const row of rows) {
    const n = paramsOf(row);
    if (part.length > 0 && params + n > MAX_PARAMS) {
      parts.push(part);
      part = [];
      params = 0;
    }
    part.push(row);
    params += n;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

export const insertWarnings = (db: Db, rows: WarningRow[]): Statement[] =>
  chunk(rows, Math.floor(MAX_PARAMS / 5)).map((part) => statementOf(db, db.insert(ingestionWarnings).values(part).onConflictDoNothing()));
