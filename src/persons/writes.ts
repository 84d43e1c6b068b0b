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
import { Param, Placeholder, and, eq, is, sql, type SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { MAX_PARAMS, chunk, jsonArrays } from '../db/chunk';
import { encodePropertyWrites } from '../db/property-writes-column';
import { type events, type ingestionWarnings, personDistinctIds, type personMerges, persons } from '../db/schema';

export type PersonRow = typeof persons.$inferSelect;
export type EventRow = typeof events.$inferInsert;
export type WarningRow = typeof ingestionWarnings.$inferInsert;
export type HistoryRow = typeof personMerges.$inferInsert;

/** A D1 statement, ready to run in an atomic batch. */
export type Statement = D1PreparedStatement;

const dialect = new SQLiteAsyncDialect();

type Query = SQL | { toSQL(): { sql: string; params: unknown[] } };

/**
 * Drizzle builds the SQL (a query builder or a `sql` template); D1 runs it.
 * (Drizzle's own batch() cannot carry raw `sql` statements with parameters, which the guards need.)
 */
export function statementOf(db: Db, query: Query): Statement {
  const { sql: text, params } = sqlOf(query);
  return db.$client.prepare(text).bind(...params);
}

const sqlOf = (query: Query) => ('toSQL' in query ? query.toSQL() : dialect.sqlToQuery(query));

/**
 * A hot write's SQL, built by drizzle once per shape with named placeholders
 * (`sql.placeholder`); each call only encodes and binds its values. The consumer
 * writes thousands of rows per batch, and building each statement anew cost
 * more than D1 took to run it.
 */
interface Compiled {
  text: string;
  /** Per bound parameter: the placeholder's name and the column's encoding (JSON, booleans). */
  slots: { name: string; encode: (value: unknown) => unknown }[];
}

const asIs = (value: unknown) => value;

function compile(query: Query): Compiled {
  const { sql: text, params } = sqlOf(query);
  const slots = params.map((param) => {
    if (is(param, Placeholder)) return { name: param.name, encode: asIs };
    if (is(param, Param) && is(param.value, Placeholder)) {
      const { encoder } = param;
      return { name: param.value.name, encode: encoder ? (value: unknown) => encoder.mapToDriverValue(value) : asIs };
    }
    throw new Error(`compiled write with a fixed parameter: ${text}`);
  });
  return { text, slots };
}

/** The compiled SQL of each shape, built on first use (the text does not depend on the database). */
function compiledByShape<Shape extends string | number>(
  build: (db: Db, shape: Shape) => Query,
): (db: Db, shape: Shape) => Compiled {
  const cache = new Map<Shape, Compiled>();
  return (db, shape) => {
    let compiled = cache.get(shape);
    if (!compiled) cache.set(shape, (compiled = compile(build(db, shape))));
    return compiled;
  };
}

/** The compiled SQL of a write with one shape. */
function compiledOnce(build: (db: Db) => Query): (db: Db) => Compiled {
  const byShape = compiledByShape((db, _: 'only') => build(db));
  return (db) => byShape(db, 'only');
}

/** Binds a value per slot; like drizzle, a missing or null value is SQL NULL, not encoded (JSON `null`). */
function bound(db: Db, compiled: Compiled, values: object): Statement {
  const byName = values as Record<string, unknown>;
  return db.$client.prepare(compiled.text).bind(
    ...compiled.slots.map((slot) => {
      const value = byName[slot.name];
      return value === undefined || value === null ? null : slot.encode(value);
    }),
  );
}

const p = (name: string) => sql.placeholder(name);

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
const guardSql = (expectation: SQL): SQL => sql`INSERT INTO write_guards (ok) SELECT 0 WHERE NOT (${expectation})`;

export const guard = (db: Db, expectation: SQL): Statement => statementOf(db, guardSql(expectation));

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
        sql`EXISTS (SELECT 1 FROM persons WHERE id = ${p(`v${i}`)} AND project_id = ${p('p')} AND version = ${p(`vv${i}`)})`,
    ),
    ...Array.from(
      { length: owners },
      (_, i) =>
        sql`EXISTS (SELECT 1 FROM person_distinct_ids WHERE project_id = ${p('p')} AND distinct_id = ${p(`o${i}`)} AND person_id = ${p(`op${i}`)})`,
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

/** A person's row as one JSON array, for the inserts and the updates below (the updates leave the project id, last, alone). */
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
const insertPersonsText = `INSERT INTO persons (id, project_id, properties, property_writes, is_identified, created_at, version)
  SELECT value ->> 0, value ->> 6, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?)`;

export const insertPersons = (db: Db, rows: PersonRow[]): Statement[] =>
  jsonArrayStatements(db, insertPersonsText, rows.map(personRowJson));

/**
 * Persons' new rows in one statement per JSON array (`UPDATE … FROM json_each`):
 * a consumer batch updates hundreds of persons. Each row is an array in column order.
 */
const updatePersonsText = `UPDATE persons SET properties = j.value ->> 1, property_writes = j.value ->> 2, is_identified = j.value ->> 3,
    created_at = j.value ->> 4, version = j.value ->> 5
  FROM json_each(?) AS j WHERE persons.id = j.value ->> 0`;

export const updatePersons = (db: Db, rows: PersonRow[]): Statement[] =>
  jsonArrayStatements(db, updatePersonsText, rows.map(personRowJson));

export const updatePerson = (db: Db, row: PersonRow): Statement => updatePersons(db, [row])[0]!;

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

/** Claims distinct ids for persons, many per statement; a unique-key failure means someone else owns one of them now. */
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

const insertHistoryText = `INSERT INTO person_merges (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7 FROM json_each(?)`;

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
  () => sql`INSERT INTO person_merges (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
       SELECT ${p('id')}, ${p('projectId')}, ${p('sourcePersonId')}, ${p('targetPersonId')}, ${p('kind')}, ${p('eventUuid')},
         json_set(${p('details')}, '$.moved_distinct_ids', json((
           SELECT json_group_array(distinct_id) FROM (
             SELECT distinct_id FROM person_distinct_ids WHERE project_id = ${p('projectId')} AND person_id = ${p('sourcePersonId')} ORDER BY rowid)))),
         ${p('at')}`,
);
/**
 * The record of merging `source` into `target`, with the source's distinct ids
 * (read inside the same batch, so it must run before they move) in
 * `details.moved_distinct_ids`.
 */
export const insertMergeRecord = (db: Db, row: HistoryRow & { details: Record<string, unknown> }): Statement =>
  bound(db, insertMergeRecordSql(db), { ...row, details: JSON.stringify(row.details) });

/**
 * Events go in as one JSON array per statement (`json_each`): D1 charges each
 * statement far more than each row, and a batch of a few thousand events would
 * otherwise take a hundred multi-row statements (at most 100 bound parameters
 * each). Each row is an array in column order; `properties` travels as its JSON text.
 */
const insertEventsText = `INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp, group_0, group_1, group_2, group_3, group_4)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11
  FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;

const eventRowJson = (r: EventRow) =>
  JSON.stringify([
    r.projectId,
    r.uuid,
    r.event,
    r.distinctId,
    r.personIdAtIngest,
    JSON.stringify(r.properties),
    r.timestamp,
    r.group0 ?? null,
    r.group1 ?? null,
    r.group2 ?? null,
    r.group3 ?? null,
    r.group4 ?? null,
  ]);

/** Event rows, stored once per (project, uuid): a re-sent event is ignored. */
export const insertEvents = (db: Db, rows: EventRow[]): Statement[] =>
  jsonArrayStatements(db, insertEventsText, rows.map(eventRowJson));

/** `text` (one `?`: the rows as a JSON array), bound to as few arrays of the rows' JSON as D1's value size allows. */
const jsonArrayStatements = (db: Db, text: string, rows: string[]): Statement[] =>
  jsonArrays(rows).map((array) => db.$client.prepare(text).bind(array));

/** Warnings go in like events: one JSON array per statement, `details` as its JSON text. */
const insertWarningsText = `INSERT INTO ingestion_warnings (project_id, type, details, event_uuid, timestamp)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
  FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;

const warningRowJson = (r: WarningRow) =>
  JSON.stringify([r.projectId, r.type, JSON.stringify(r.details), r.eventUuid ?? null, r.timestamp]);

export const insertWarnings = (db: Db, rows: WarningRow[]): Statement[] =>
  jsonArrayStatements(db, insertWarningsText, rows.map(warningRowJson));
