/**
 * Every write to persons, their distinct ids and their history goes through
 * this module, and keeps one invariant: a person write is ONE atomic D1 batch
 * that starts with guards on what it was computed from (person versions, who
 * owns which distinct ids). A failed guard inserts a row violating the CHECK on
 * `write_guards` (a lost race for a distinct id fails its unique key), D1 rolls
 * the whole batch back, and `writeAtomically` (db/statements.ts) answers false:
 * the writer re-reads and tries again. Events and warnings of a step ride in the
 * same batch (db/event-writes.ts, db/warning-writes.ts), so an event is stored
 * exactly when its person changes are.
 *
 * The database is always a parameter (`db`), never a global.
 */
import { and, eq, sql } from 'drizzle-orm';
import { jsonArrays } from '../db/chunk';
import type { Db } from '../db/client';
import { compactPropertyWrites } from '../db/property-writes-column';
import { personDistinctIds, type personMerges, persons } from '../db/schema';
import { bound, compiledOnce, jsonArrayStatements, placeholder as p, type Statement } from '../db/statements';

export type PersonRow = typeof persons.$inferSelect;
export type HistoryRow = typeof personMerges.$inferInsert;

// --- Guards: each aborts the whole batch when its expectation is false.

export interface Expected {
  /** Persons that must still be at these versions. */
  versions?: [personId: string, version: number][];
  /** Distinct ids that must still belong to these persons. */
  owners?: [distinctId: string, personId: string][];
}

/**
 * The guard for all of a write's expectations in one statement: the persons and
 * distinct ids as JSON lists (`json_each`), so a batch planned for hundreds of
 * persons checks them in one statement, not one per 33 expectations (D1's 100
 * parameters). It aborts the batch when any expectation does not hold.
 */
const guardText = `INSERT INTO write_guards (ok) SELECT 0 WHERE
  EXISTS (SELECT 1 FROM json_each(?1) AS e WHERE NOT EXISTS (SELECT 1 FROM persons
    WHERE id = e.value ->> 0 AND project_id = ?3 AND version = e.value ->> 1))
  OR EXISTS (SELECT 1 FROM json_each(?2) AS e WHERE NOT EXISTS (SELECT 1 FROM person_distinct_ids
    WHERE project_id = ?3 AND distinct_id = e.value ->> 0 AND person_id = e.value ->> 1))`;

/** One guard statement (or a few, within D1's value size) for all of a write's expectations. */
export function guardUnchanged(db: Db, projectId: number, { versions = [], owners = [] }: Expected): Statement[] {
  if (versions.length === 0 && owners.length === 0) return [];
  const versionLists = jsonArrays(versions.map((v) => JSON.stringify(v)));
  const ownerLists = jsonArrays(owners.map((o) => JSON.stringify(o)));
  return Array.from({ length: Math.max(versionLists.length, ownerLists.length) }, (_, i) =>
    db.$client.prepare(guardText).bind(versionLists[i] ?? '[]', ownerLists[i] ?? '[]', projectId),
  );
}

// --- Writes.

/**
 * A person's row as one JSON array, for the inserts and the updates below (the updates leave the
 * project id, last, alone). The JSON columns travel as values, stored as their JSON text
 * (`value -> 1`: SQLite gives that part's text as written, JSON.stringify's), not as strings
 * whose every quote the row's JSON would escape again.
 */
const personRowJson = (r: PersonRow) =>
  JSON.stringify([
    r.id,
    r.properties,
    compactPropertyWrites(r.propertyWrites),
    r.isIdentified ? 1 : 0,
    r.createdAt,
    r.version,
    r.projectId,
  ]);

/**
 * New persons in one statement per JSON array (`INSERT … SELECT … FROM json_each`),
 * like the updates below: a consumer batch creates hundreds of persons, and D1
 * charges each statement far more than each row. A person id taken already fails
 * the primary key, which refuses the whole atomic batch as a single insert did.
 */
const insertPersonsText = `INSERT INTO persons
    (id, project_id, properties, property_writes, is_identified, created_at, version)
  SELECT value ->> 0, value ->> 6, value -> 1, value -> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)`;

export const insertPersons = (db: Db, rows: PersonRow[]): Statement[] =>
  jsonArrayStatements(db, insertPersonsText, rows.map(personRowJson));

/**
 * Persons' new rows in one statement per JSON array (`UPDATE … FROM json_each`):
 * a consumer batch updates hundreds of persons. Each row is an array in column order.
 */
const updatePersonsText = `UPDATE persons
  SET properties = j.value -> 1, property_writes = j.value -> 2, is_identified = j.value ->> 3,
    created_at = j.value ->> 4, version = j.value ->> 5
  FROM json_each(?) AS j WHERE persons.id = j.value ->> 0`;

export const updatePersons = (db: Db, rows: PersonRow[]): Statement[] =>
  jsonArrayStatements(db, updatePersonsText, rows.map(personRowJson));

const deletePersonSql = compiledOnce((db) => db.delete(persons).where(eq(persons.id, p('id'))));
export const deletePersonRow = (db: Db, id: string) => bound(db, deletePersonSql(db), { id });

/** A distinct id that becomes a person's. */
export interface Claim {
  projectId: number;
  distinctId: string;
  personId: string;
}

const claimsText = `INSERT INTO person_distinct_ids (project_id, distinct_id, person_id)
  SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`;

/**
 * Claims distinct ids for persons, many per statement; a unique-key failure means someone else
 * owns one of them now.
 */
export const claimDistinctIds = (db: Db, claims: Claim[]): Statement[] =>
  jsonArrayStatements(
    db,
    claimsText,
    claims.map((c) => JSON.stringify([c.projectId, c.distinctId, c.personId])),
  );

const moveSql = compiledOnce((db) =>
  db
    .update(personDistinctIds)
    .set({ personId: p('to') as never })
    .where(and(eq(personDistinctIds.projectId, p('projectId')), eq(personDistinctIds.personId, p('from')))),
);
export const moveDistinctIds = (db: Db, projectId: number, fromPersonId: string, toPersonId: string) =>
  bound(db, moveSql(db), { projectId, from: fromPersonId, to: toPersonId });

const insertHistoryText = `INSERT INTO person_merges
    (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7
  FROM json_each(?)`;

const historyRowJson = (r: HistoryRow) =>
  JSON.stringify([
    r.id,
    r.projectId,
    r.sourcePersonId,
    r.targetPersonId,
    r.kind,
    r.eventUuid ?? null,
    r.details == null ? null : JSON.stringify(r.details),
    r.at,
  ]);

/** History lines that read nothing (identifications), many per statement. */
export const insertHistory = (db: Db, rows: HistoryRow[]): Statement[] =>
  jsonArrayStatements(db, insertHistoryText, rows.map(historyRowJson));

const insertMergeRecordSql = compiledOnce(
  () => sql`INSERT INTO person_merges
         (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
       SELECT ${p('id')}, ${p('projectId')}, ${p('sourcePersonId')}, ${p('targetPersonId')}, ${p('kind')},
         ${p('eventUuid')},
         json_set(${p('details')}, '$.moved_distinct_ids', json((
           SELECT json_group_array(distinct_id) FROM (
             SELECT distinct_id FROM person_distinct_ids
             WHERE project_id = ${p('projectId')} AND person_id = ${p('sourcePersonId')} ORDER BY rowid)))),
         ${p('at')}`,
);
/**
 * The record of merging `source` into `target`, with the source's distinct ids
 * (read inside the same batch, so it must run before they move) in
 * `details.moved_distinct_ids`.
 */
export const insertMergeRecord = (db: Db, row: HistoryRow & { details: Record<string, unknown> }): Statement =>
  bound(db, insertMergeRecordSql(db), { ...row, details: JSON.stringify(row.details) });
