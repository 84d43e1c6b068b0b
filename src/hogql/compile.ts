/**
 * The HogQL compiler's entry: a parsed query to one SQLite statement over the
 * project's rows, with PostHog's limits (DEFAULT_RETURNED_ROWS when the query
 * has no LIMIT, MAX_SELECT_RETURNED_ROWS at most) and the columns it returns.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Expr, SelectQuery, SelectSetQuery } from './ast';
import type { CompileContext, CompileOptions, OutputColumn } from './compile-scope';
import { compileSelect, compileSelectSet, constantInt } from './compile-select';
import { zoneSegments } from './compile-time';
import { printSelect } from './print';
import type { OffsetSegment } from '../query/time';

/** PostHog's posthog/hogql/constants.py: rows when the query sets no LIMIT, and the most it may ask for. */
const DEFAULT_RETURNED_ROWS = 100;
const MAX_SELECT_RETURNED_ROWS = 50_000;

export interface CompiledQuery {
  sql: SQL;
  columns: OutputColumn[];
  /** The query printed back (PostHog's `hogql`), with the limit it ran with. */
  hogql: string;
  limit: number;
  offset: number;
  /** No LIMIT in the query: one more row was asked for, to answer `hasMore`. */
  paged: boolean;
}

export function compileContext(options: CompileOptions): CompileContext {
  const segments = new Map<string, OffsetSegment[]>();
  return {
    ...options,
    tablesUsed: 0,
    aliasCounter: 1,
    columnCounter: 0,
    ctes: new Map(),
    segmentsOf: (timezone) => {
      let s = segments.get(timezone);
      if (!s) {
        s = zoneSegments(timezone, options.now);
        segments.set(timezone, s);
      }
      return s;
    },
  };
}

const constant = (value: number, at: Expr | SelectQuery): Expr => ({
  kind: 'Constant',
  value,
  start: at.start,
  end: at.end,
});

export function compileQuery(query: SelectQuery | SelectSetQuery, options: CompileOptions): CompiledQuery {
  const ctx = compileContext(options);
  if (query.kind === 'SelectQuery') {
    const paged = !query.limit;
    const asked = query.limit ? constantInt(query.limit, 'LIMIT', ctx) : DEFAULT_RETURNED_ROWS;
    const limit = Math.min(asked, MAX_SELECT_RETURNED_ROWS);
    const offset = query.offset ? constantInt(query.offset, 'OFFSET', ctx) : 0;
    const run: SelectQuery = { ...query, limit: constant(paged ? limit + 1 : limit, query) };
    const compiled = compileSelect(run, ctx);
    return { ...compiled, hogql: printSelect({ ...query, limit: constant(limit, query) }), limit, offset, paged };
  }
  // A UNION ALL: the whole set is limited and paged like a SELECT without LIMIT.
  const compiled = compileSelectSet(query, ctx);
  const wrapped = { ...compiled, sql: wrapLimit(compiled.sql, DEFAULT_RETURNED_ROWS + 1) };
  return {
    ...wrapped,
    hogql: `${printSelect(query)} LIMIT ${DEFAULT_RETURNED_ROWS}`,
    limit: DEFAULT_RETURNED_ROWS,
    offset: 0,
    paged: true,
  };
}

const wrapLimit = (inner: SQL, limit: number): SQL => sql`SELECT * FROM (${inner}) LIMIT ${sql.raw(String(limit))}`;
