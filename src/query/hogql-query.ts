/**
 * HogQLQuery: the query text parsed (src/hogql/parser.ts), its placeholders
 * filled (`{filters}`, `{name}` from `values`), compiled to one SQLite
 * statement over the project's rows (src/hogql/compile.ts) and answered in
 * PostHog's HogQLQueryResponse shape: `results` (rows as arrays), `columns`,
 * `types` ([name, ClickHouse type]), `hogql`, `hasMore`, `limit`, `offset`.
 */
import type { SQL } from 'drizzle-orm';
import type { SelectQuery, SelectSetQuery } from '../hogql/ast';
import { compileQuery } from '../hogql/compile';
import type { FiltersSql, OutputColumn } from '../hogql/compile-scope';
import { HogQLCompileError, clickHouseType } from '../hogql/compile-types';
import { HogQLSyntaxError, parseSelect } from '../hogql/parser';
import type { QueryContext } from './context';
import { QueryError } from './errors';
import { hogqlFilters } from './hogql-filters';
import type { HogQLQueryInput } from './schema';
import { run } from './source';
import { zonedIso } from './time';

/**
 * The HogQL error as the endpoint's 400, with PostHog's codes (its ExposedHogQLError code_name:
 * `hogql_syntax_error`, `hogql_query_error`) and, beside `detail`, `start`/`end`: where in the text it is.
 */
export function hogqlError(error: unknown, attr: string): QueryError | undefined {
  if (!(error instanceof HogQLSyntaxError) && !(error instanceof HogQLCompileError)) return undefined;
  const code = error instanceof HogQLSyntaxError ? 'hogql_syntax_error' : 'hogql_query_error';
  const position =
    error.start === undefined
      ? undefined
      : { start: error.start, end: Math.max(error.end ?? error.start, error.start) };
  return new QueryError(400, code, error.message, attr, position);
}

/** Parses a whole query: one SELECT or UNION ALL, no `;` (one statement, nothing after it). */
export function parseHogQLSelect(text: string, attr: string): SelectQuery | SelectSetQuery {
  try {
    const query = parseSelect(text);
    if (text.slice(query.end).trim() !== '')
      throw new HogQLCompileError('";" is not allowed: send one SELECT', query.end, text.length);
    return query;
  } catch (error) {
    throw hogqlError(error, attr) ?? error;
  }
}

/** A result value in PostHog's form: DateTimes in their zone with the offset, the rest as SQLite gives it. */
function readerOf(column: OutputColumn, timezone: string): (v: unknown) => unknown {
  if (column.type === 'DateTime') {
    const zone = column.zone ?? timezone;
    return (v) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? zonedIso(Date.parse(v), zone, true) : v);
  }
  return (v) => v;
}

/** SQLite's errors about a statement it could not prepare: the query's fault, so a 400, not a 5xx. */
const SQL_ERROR = /SQLITE_ERROR|no such column|misuse of aggregate|aggregate functions are not allowed|syntax error/i;

async function runCompiledSelect(ctx: QueryContext, statement: SQL, attr: string): Promise<Record<string, unknown>[]> {
  try {
    return await run<Record<string, unknown>>(ctx.db, statement);
  } catch (error) {
    const cause = (error as { cause?: unknown })?.cause;
    const text = String(cause instanceof Error ? cause.message : ((error as Error)?.message ?? ''));
    if (!(error instanceof QueryError) && SQL_ERROR.test(text)) {
      throw new QueryError(400, 'invalid_input', `The query could not run: ${text.trim().slice(0, 300)}`, attr);
    }
    throw error;
  }
}

export async function runHogQLQuery(ctx: QueryContext, query: HogQLQueryInput): Promise<Record<string, unknown>> {
  const started = performance.now();
  const attr = 'query.query';
  const parsed = parseHogQLSelect(query.query, attr);
  const parseSeconds = (performance.now() - started) / 1000;
  const filters: FiltersSql | undefined = await hogqlFilters(ctx, query);
  let compiled: ReturnType<typeof compileQuery>;
  try {
    compiled = compileQuery(parsed, {
      projectId: ctx.projectId,
      timezone: ctx.timezone,
      now: ctx.now,
      values: query.values ?? undefined,
      filters,
    });
  } catch (error) {
    throw hogqlError(error, attr) ?? error;
  }
  const compiledAt = performance.now();
  const rows = await runCompiledSelect(ctx, compiled.sql, attr);
  const readers = compiled.columns.map((c) => readerOf(c, ctx.timezone));
  const kept = compiled.paged ? rows.slice(0, compiled.limit) : rows;
  const results = kept.map((row) => compiled.columns.map((c, i) => readers[i]!(row[c.column])));
  const types = compiled.columns.map((c) => [c.name, clickHouseType(c.type, c.zone ?? ctx.timezone)]);
  return {
    results,
    columns: compiled.columns.map((c) => c.name),
    types,
    hogql: compiled.hogql,
    ...(compiled.paged
      ? { hasMore: rows.length > compiled.limit, limit: compiled.limit, offset: compiled.offset }
      : {}),
    timings: [
      { k: './parse_select', t: parseSeconds },
      { k: './compile', t: (compiledAt - started) / 1000 - parseSeconds },
      { k: './execute', t: (performance.now() - compiledAt) / 1000 },
      { k: '.', t: (performance.now() - started) / 1000 },
    ],
  };
}
