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
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { MAX_PARAMS, chunk } from '../db/chunk';
import type { Db } from '../db/client';
import { encodePropertyWrites } from '../db/property-writes-column';
import { personDistinctIds, type personMerges, persons } from '../db/schema';
import {
  bound,
  compiledByShape,
  compiledOnce,
  guardSql,
  jsonArrayStatements,
  placeholder as p,
  type Statement,
} from '../db/statements';

export type PersonRow = typeof persons.$inferSelect;
export type HistoryRow = typeof personMerges.$inferInsert;

// --- Guards: each aborts the whole batch when its expectation is false.

export interface Expected {
  /** Persons that must still be at these versions. */
  versions?: [personId: string, version: number][];
  /** Distinct ids that must still belong to these persons. */
  owners?: [distinctId: string, personId: string][];
}

/** The guard for `versions` persons and `owners` distinct ids: placeholders `p`, `v<i>`, `vv<i>`, `o<i>`, `op<i>`. */
const guardOfShape = compiledByShape((_db, shape: string) => {
  const [versions, owners] = shape.split(':').map(Number) as [number, number];
  const conditions: SQL[] = [
    ...Array.from(
      { length: versions },
      (_, i) =>
        sql`EXISTS (SELECT 1 FROM persons
          WHERE id = ${p(`v${i}`)} AND project_id = ${p('p')} AND version = ${p(`vv${i}`)})`,
    ),
    ...Array.from(
      { length: owners },
      (_, i) =>
        sql`EXISTS (SELECT 1 FROM person_distinct_ids
          WHERE project_id = ${p('p')} AND distinct_id = ${p(`o${i}`)} AND person_id = ${p(`op${i}`)})`,
    ),
  ];
  return guardSql(sql.join(conditions, sql` AND `));
});

/** One guard statement (or a few, within D1's parameter limit) for all of a write's expectations. */
export function guardUnchanged(db: Db, projectId: number, { versions = [], owners = [] }: Expected): Statement[] {
  const expectations = [...versions.map((v) => ({ version: v })), ...owners.map((o) => ({ owner: o }))];
  return chunk(expectations, Math.floor(MAX_PARAMS / 3)).map((part) => {
    const values: Record<string, unknown> = { p: projectId };
    let v = 0;
    let o = 0;
    for (const e of part) {
      if ('version' in e) {
        values[`v${v}`] = e.version[0];
        values[`vv${v++}`] = e.version[1];
      } else {
        values[`o${o}`] = e.owner[0];
        values[`op${o++}`] = e.owner[1];
      }
    }
    return bound(db, guardOfShape(db, `${v}:${o}`), values);
  });
}

// --- Writes.

/**
 * A person's row as one JSON array, for the inserts and the updates below (the updates leave the
 * project id, last, alone).
 */
const personRowJson = (r: PersonRow) =>
  JSON.stringify([
    r.id,
    JSON.stringify(r.properties),
    encodePropertyWrites(r.propertyWrites),
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
  SELECT value ->> 0, value ->> 6, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)`;

export const insertPersons = (db: Db, rows: PersonRow[]): Statement[] =>
  jsonArrayStatements(db, insertPersonsText, rows.map(personRowJson));

/**
 * Persons' new rows in one statement per JSON array (`UPDATE … FROM json_each`):
 * a consumer batch updates hundreds of persons. Each row is an array in column order.
 */
const updatePersonsText = `UPDATE persons
  SET properties = j.value ->> 1, property_writes = j.value ->> 2, is_identified = j.value ->> 3,
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
