/**
 * D1 statements built by drizzle and run by D1 directly: the SQL of a write
 * (a query builder or a `sql` template), compiled once per shape for hot
 * writes, bound to JSON arrays of rows, and run as one atomic batch or in
 * bounded batches. Guards (the `write_guards` CHECK) make an atomic batch
 * conditional on the state it was computed from. Nothing here knows which
 * table it writes: persons/writes.ts, event-writes.ts and warning-writes.ts do.
 *
 * The database is always a parameter (`db`), never a global.
 */
import { Param, Placeholder, is, sql, type SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';
import { chunk, jsonArrays } from './chunk';
import type { Db } from './client';

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
export function compiledByShape<Shape extends string | number>(
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
export function compiledOnce(build: (db: Db) => Query): (db: Db) => Compiled {
  const byShape = compiledByShape((db, _: 'only') => build(db));
  return (db) => byShape(db, 'only');
}

/** Binds a value per slot; like drizzle, a missing or null value is SQL NULL, not encoded (JSON `null`). */
export function bound(db: Db, compiled: Compiled, values: object): Statement {
  const byName = values as Record<string, unknown>;
  return db.$client.prepare(compiled.text).bind(
    ...compiled.slots.map((slot) => {
      const value = byName[slot.name];
      return value === undefined || value === null ? null : slot.encode(value);
    }),
  );
}

/** A named placeholder for `compiledOnce` / `compiledByShape`. */
export const placeholder = (name: string) => sql.placeholder(name);

/**
 * `text` (one `?`: the rows as a JSON array, read with `json_each`), bound to as
 * few arrays of the rows' JSON as D1's value size allows. D1 charges each
 * statement far more than each row: a batch of a few thousand rows would
 * otherwise take a hundred multi-row statements (at most 100 bound parameters each).
 */
export const jsonArrayStatements = (db: Db, text: string, rows: string[]): Statement[] =>
  jsonArrays(rows).map((array) => db.$client.prepare(text).bind(array));

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

/**
 * The one guard builder: a statement that aborts its whole atomic batch when
 * `expectation` is false (it inserts a row the CHECK on `write_guards` refuses).
 */
export const guardSql = (expectation: SQL): SQL =>
  sql`INSERT INTO write_guards (ok) SELECT 0 WHERE NOT (${expectation})`;

export const guard = (db: Db, expectation: SQL): Statement => statementOf(db, guardSql(expectation));
