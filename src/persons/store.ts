import { and, eq, inArray } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Statement } from '../db/atomic';
import type { Db } from '../db/client';
import { events, ingestionWarnings, personDistinctIds, personMerges, persons } from '../db/schema';

export type PersonRow = typeof persons.$inferSelect;
export type EventRow = typeof events.$inferInsert;
export type WarningRow = typeof ingestionWarnings.$inferInsert;
export type HistoryRow = typeof personMerges.$inferInsert;
export type { Statement } from '../db/atomic';
export { writeAtomically } from '../db/atomic';

/**
 * Drizzle builds the SQL; D1 runs it. (Drizzle's own batch() cannot carry raw
 * `sql` statements with parameters, which the guards need.)
 */
const statementOf = (db: Db, query: { toSQL(): { sql: string; params: unknown[] } }): Statement => {
  const { sql: text, params } = query.toSQL();
  return db.$client.prepare(text).bind(...params);
};

/** D1 allows at most 100 bound parameters per statement. */
const MAX_PARAMS = 100;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function loadPerson(db: Db, id: string): Promise<PersonRow | undefined> {
  return db.select().from(persons).where(eq(persons.id, id)).get();
}

export interface IngestState {
  storedUuids: Set<string>;
  /** distinct id → person id, for the ids that have a person. */
  owners: Map<string, string>;
  /** Those owners' rows, as read. */
  persons: Map<string, PersonRow>;
}

/**
 * One round trip: which of `uuids` are already stored, who owns each of
 * `distinctIds` now, and those persons' rows.
 */
export async function readIngestState(db: Db, projectId: number, uuids: string[], distinctIds: string[]): Promise<IngestState> {
  const uuidQueries = chunk(uuids, MAX_PARAMS - 1).map((part) =>
    db.select({ uuid: events.uuid }).from(events).where(and(eq(events.projectId, projectId), inArray(events.uuid, part))),
  );
  const ownerQueries = chunk(distinctIds, MAX_PARAMS - 1).map((part) =>
    db
      .select({ distinctId: personDistinctIds.distinctId, person: persons })
      .from(personDistinctIds)
      .innerJoin(persons, eq(persons.id, personDistinctIds.personId))
      .where(and(eq(personDistinctIds.projectId, projectId), inArray(personDistinctIds.distinctId, part))),
  );
  const state: IngestState = { storedUuids: new Set(), owners: new Map(), persons: new Map() };
  const queries = [...uuidQueries, ...ownerQueries];
  if (queries.length === 0) return state;
  const results = (await db.batch(queries as unknown as [BatchItem<'sqlite'>])) as unknown[][];
  results.forEach((rows, i) => {
    if (i < uuidQueries.length) {
      for (const row of rows as { uuid: string }[]) state.storedUuids.add(row.uuid);
    } else {
      for (const { distinctId, person } of rows as { distinctId: string; person: PersonRow }[]) {
        state.owners.set(distinctId, person.id);
        state.persons.set(person.id, person);
      }
    }
  });
  return state;
}

// --- Guards: each aborts the whole batch (CHECK on write_guards) when its expectation fails.

const guard = (db: Db, expectation: string, ...params: unknown[]): Statement =>
  db.$client.prepare(`INSERT INTO write_guards (ok) SELECT 0 WHERE NOT (${expectation})`).bind(...params);

export interface Expected {
  /** Persons that must still be at these versions. */
  versions?: [personId: string, version: number][];
  /** Distinct ids that must still belong to these persons. */
  owners?: [distinctId: string, personId: string][];
}

/** One guard statement (or a few, within D1's parameter limit) for all of a step's expectations. */
export function guardUnchanged(db: Db, projectId: number, { versions = [], owners = [] }: Expected): Statement[] {
  const conditions: [string, unknown[]][] = [
    ...versions.map(([id, version]): [string, unknown[]] => ['EXISTS (SELECT 1 FROM persons WHERE id = ? AND version = ?)', [id, version]]),
    ...owners.map(([distinctId, personId]): [string, unknown[]] => [
      'EXISTS (SELECT 1 FROM person_distinct_ids WHERE project_id = ? AND distinct_id = ? AND person_id = ?)',
      [projectId, distinctId, personId],
    ]),
  ];
  return chunk(conditions, Math.floor(MAX_PARAMS / 3)).map((part) =>
    guard(db, part.map(([sql]) => sql).join(' AND '), ...part.flatMap(([, params]) => params)),
  );
}

// --- Writes.

export const insertPerson = (db: Db, row: PersonRow) => statementOf(db, db.insert(persons).values(row));

export const updatePerson = (db: Db, row: PersonRow) =>
  statementOf(
    db,
    db
      .update(persons)
      .set({ properties: row.properties, isIdentified: row.isIdentified, createdAt: row.createdAt, version: row.version })
      .where(eq(persons.id, row.id)),
  );

export const deletePerson = (db: Db, id: string) => statementOf(db, db.delete(persons).where(eq(persons.id, id)));

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
  db.$client
    .prepare(
      `INSERT INTO person_merges (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
       SELECT ?, ?, ?, ?, ?, ?, json_set(?, '$.moved_distinct_ids', json((
         SELECT json_group_array(distinct_id) FROM (
           SELECT distinct_id FROM person_distinct_ids WHERE project_id = ? AND person_id = ? ORDER BY rowid)))), ?`,
    )
    .bind(
      row.id,
      row.projectId,
      row.sourcePersonId,
      row.targetPersonId,
      row.kind,
      row.eventUuid ?? null,
      JSON.stringify(row.details),
      row.projectId,
      row.sourcePersonId,
      row.at,
    );

/** Event rows, stored once per (project, uuid): a re-sent event is ignored. */
export const insertEvents = (db: Db, rows: EventRow[]): Statement[] =>
  chunkByParams(rows, boundParamsOf).map((part) => statementOf(db, db.insert(events).values(part).onConflictDoNothing()));

/** Values drizzle binds for a row (an undefined column becomes a `null` literal). */
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

/** Runs statements in D1 batches of a bounded size (not atomic across batches). */
export async function writeInBatches(db: Db, statements: Statement[], perBatch = 200): Promise<void> {
  for (const part of chunk(statements, perBatch)) await db.$client.batch(part);
}
