/**
 * The events every query reads, each resolved to the person its distinct id
 * belongs to now (person_distinct_ids), or, for a distinct id no person owns,
 * the person id it was stored with (spec §4 person-less events). That is how a
 * visitor's anonymous events count under the person they later signed in as.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { budgetOf, tooExpensive, yieldToOthers } from './budget';
import { QueryError, isTimeLimitError, isTooComplexError } from './errors';
import { propertyText } from './filters';
import { isoOf } from './time';
import type { AggregationTarget, Needs, PropertySource, RegexResolver } from './types';

/** Upper bound on the distinct values a regex filter tests in the Worker. */
const MAX_REGEX_VALUES = 200_000;

/** The person an event counts under now. */
export const PERSON_ID = sql.raw('COALESCE(m.person_id, e.person_id_at_ingest)');

/** Counts persons: the default aggregation target. */
export const PERSONS: AggregationTarget = { actor: PERSON_ID, require: () => {} };

export function eventsFrom(needs: Needs): SQL {
  return sql`events e
    LEFT JOIN person_distinct_ids m ON m.project_id = e.project_id AND m.distinct_id = e.distinct_id
    ${needs.person ? sql`LEFT JOIN persons p ON p.id = ${PERSON_ID} AND p.project_id = e.project_id` : sql``}`;
}

interface EventScope {
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
 * the query's deadline (budget.ts) is checked before and after it.
 */
export async function run<T>(db: Db, query: SQL): Promise<T[]> {
  const budget = budgetOf(db);
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

/** Values tested between two yields to the other requests of the isolate. */
const REGEX_CHUNK = 2_000;

/**
 * Regex filters: SQLite in D1 has no REGEXP, so the distinct values of the key
 * in the query's scope are read once per key (filters on the same key share the
 * read) and tested here with re2js (RE2: linear time, ClickHouse match()'s
 * syntax), in chunks that yield to other requests, within the query's budget.
 */
export function regexResolver(db: Db, scope: EventScope): RegexResolver {
  const valuesOf = new Map<PropertySource, Map<string, Promise<string[]>>>();
  const read = async (source: PropertySource, key: string, attr: string): Promise<string[]> => {
    budgetOf(db)?.chargeRegexScan(attr);
    const needs: Needs = { person: false };
    source.require(needs);
    const value = propertyText(source.column, key);
    const rows = await run<{ v: string | null }>(
      db,
      sql`SELECT DISTINCT ${value} AS v FROM ${eventsFrom(needs)} WHERE ${scopeSql(scope)}
        LIMIT ${MAX_REGEX_VALUES + 1}`,
    );
    if (rows.length > MAX_REGEX_VALUES) {
      throw tooExpensive(
        `A regex filter on "${key}" would test more than ${MAX_REGEX_VALUES} distinct values; narrow the date range.`,
        attr,
      );
    }
    return rows.flatMap((r) => (r.v === null ? [] : [r.v]));
  };
  return async (source, key, pattern, attr) => {
    let byKey = valuesOf.get(source);
    if (!byKey) valuesOf.set(source, (byKey = new Map()));
    let values = byKey.get(key);
    if (!values) byKey.set(key, (values = read(source, key, attr)));
    const all = await values;
    const budget = budgetOf(db);
    const matching: string[] = [];
    for (let i = 0; i < all.length; i += REGEX_CHUNK) {
      const chunk = all.slice(i, i + REGEX_CHUNK);
      if (budget) {
        budget.chargeRegexChars(
          chunk.reduce((n, v) => n + v.length, 0),
          attr,
        );
        budget.checkDeadline();
      }
      for (const v of chunk) if (pattern.matcher(v).find()) matching.push(v);
      if (i + REGEX_CHUNK < all.length) await yieldToOthers();
    }
    return matching;
  };
}
