/**
 * The events every query reads, each resolved to the person its distinct id
 * belongs to now (person_distinct_ids), or, for a distinct id no person owns,
 * the person id it was stored with (spec §4 person-less events). That is how a
 * visitor's anonymous events count under the person they later signed in as.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { budgetOf } from './budget';
import { QueryError, isTimeLimitError, isTooComplexError } from './errors';
import { isoOf } from './time';
import type { AggregationTarget, Needs } from './types';

/** The person an event counts under now. */
export const PERSON_ID = sql.raw('COALESCE(m.person_id, e.person_id_at_ingest)');

/** Counts persons: the default aggregation target. */
export const PERSONS: AggregationTarget = { actor: PERSON_ID, require: () => {} };

/** The events (aliased `e`, read through `index` when given) with the joins `needs` asks for. */
export function eventsFrom(needs: Needs, index: SQL = sql``): SQL {
  return sql`events e ${index}
    LEFT JOIN person_distinct_ids m ON m.project_id = e.project_id AND m.distinct_id = e.distinct_id
    ${needs.person ? sql`LEFT JOIN persons p ON p.id = ${PERSON_ID} AND p.project_id = e.project_id` : sql``}`;
}

export interface EventScope {
  projectId: number;
  from?: number;
  to?: number;
  /** One event name; null or undefined for all events. */
  event?: string | null;
  /** Any of these event names (funnels, retention). */
  events?: string[];
}

export function scopeSql(s: EventScope): SQL {
  const parts: SQL[] = [sql`e.project_id = ${s.projectId}`];
  if (s.event !== undefined && s.event !== null) parts.push(sql`e.event = ${s.event}`);
  if (s.events)
    parts.push(
      s.events.length === 1
        ? sql`e.event = ${s.events[0]}`
        : sql`e.event IN (SELECT value FROM json_each(${JSON.stringify(s.events)}))`,
    );
  if (s.from !== undefined) parts.push(sql`e.timestamp >= ${isoOf(s.from)}`);
  if (s.to !== undefined) parts.push(sql`e.timestamp < ${isoOf(s.to)}`);
  return sql.join(parts, sql` AND `);
}

/**
 * The scope as a list of rowids, for a query that reads each event row: SQLite
 * then fetches the rows in table order, each page once, instead of in index
 * (time) order, a page per row. Same rows as `scopeSql`.
 */
export function scopeByRowSql(s: EventScope): SQL {
  return sql`e.rowid IN (SELECT e.rowid FROM events e WHERE ${scopeSql(s)})`;
}

/**
 * Runs a query statement, turning D1 running out of time into a 504 QueryError;
 * the query's deadline (budget.ts) is checked before and after it. A query's
 * statement first lets the isolate's other requests run: they are served
 * between its statements, each of which is short (slices.ts).
 */
export async function run<T>(db: Db, query: SQL): Promise<T[]> {
  const budget = budgetOf(db);
  await budget?.yieldIfDue();
  budget?.checkDeadline();
  let rows: T[];
  try {
    rows = await db.all<T>(query);
  } catch (error) {
    // First: D1's "statement too long: SQLITE_TOOBIG" would read as a time limit ("too long").
    if (isTooComplexError(error)) throw QueryError.tooComplex();
    if (isTimeLimitError(error)) throw QueryError.timedOut();
    throw error;
  }
  budget?.checkDeadline();
  return rows;
}

/** Characters of values a packed statement puts in one JSON value: far below D1's limit on one value. */
const PACK_CHARS = 256_000;

/**
 * Runs a statement whose many small rows are read as few: rows are packed as
 * JSON arrays of `[column, …]` values, about PACK_CHARS of values a pack (a
 * row larger than that is a pack of its own), as moving rows one by one out
 * of D1 costs more than the statement that found them. The divisor is
 * inlined: D1 binds numbers as REAL.
 */
export async function runPacked(db: Db, query: SQL, columns: string[]): Promise<unknown[][]> {
  for (const c of columns) if (!/^[a-z_]+$/.test(c)) throw new Error(`not a column name: ${c}`);
  const values = sql.raw(columns.map((c) => `numbered.${c}`).join(', '));
  const size = sql.raw(columns.map((c) => `COALESCE(length(found.${c}), 0) + 8`).join(' + '));
  const packs = await run<{ packed: string }>(
    db,
    sql`SELECT json_group_array(json_array(${values})) AS packed
      FROM (SELECT found.*, sum(${size}) OVER (ROWS UNBOUNDED PRECEDING) AS chars FROM (${query}) found) numbered
      GROUP BY CAST(numbered.chars / ${sql.raw(String(PACK_CHARS))} AS INTEGER)`,
  );
  return packs.flatMap((p) => JSON.parse(p.packed) as unknown[][]);
}

/**
 * PostHog's lower bound for `date_from: "all"`: earlier timestamps are treated as
 * corrupt and ignored (posthog/queries/util.py EARLIEST_TIMESTAMP), so one planted
 * 1970 event cannot stretch every "all" range over decades.
 */
const EARLIEST_TIMESTAMP = '2015-01-01T00:00:00.000Z';

/** The project's earliest event since 2015 (one index seek). */
export async function earliestEvent(db: Db, projectId: number): Promise<number | undefined> {
  const [row] = await run<{ t: string | null }>(
    db,
    sql`SELECT min(timestamp) AS t FROM events WHERE project_id = ${projectId} AND timestamp >= ${EARLIEST_TIMESTAMP}`,
  );
  return row?.t ? Date.parse(row.t) : undefined;
}
