/**
 * An EventsQuery that may read more than one statement's rows, read in slices
 * (slices.ts) and merged in the Worker as SQLite would have ordered one
 * statement's rows: each slice returns its own first `offset + limit + 1` rows
 * in the query's order (with the order's values and the uuid tie-break beside
 * them), or, with aggregates, its partial counts, minimums and maximums per
 * group. Ordered by time, slices are read from the order's end and the walk
 * stops once no later slice can hold a row that ranks among those kept.
 */
import { sql, type SQL } from 'drizzle-orm';
import { QUERY_BUDGET, budgetOf, tooExpensive } from './budget';
import type { QueryContext } from './context';
import { eventSlices, sliceFrom, sliceWhere, walkOf } from './event-slices';
import { slicesOf } from './slice-walk';
import { type IndexScope, type Slice, compareText, indexScopesOf } from './slices';
import { type EventScope, run } from './source';
import type { Needs } from './types';

export interface OrderTerm {
  sql: SQL;
  desc: boolean;
  /** How slices' values of an aggregate merge (count adds); undefined for an event-level value. */
  merge?: 'count' | 'min' | 'max';
}

export interface EventsStatement {
  scope: EventScope;
  needs: Needs;
  /** Conditions beside the scope (filters, person, where). */
  conditions: SQL[];
  columns: { sql: SQL; merge?: 'count' | 'min' | 'max' }[];
  order: OrderTerm[];
  aggregated: boolean;
  /** Rows wanted: offset + limit + 1. */
  wanted: number;
  /** Ordered by event time first: slices are read in that order, and the read stops early. */
  byTime: 'asc' | 'desc' | null;
}

/** SQLite's order of values: NULL, then numbers, then text (BINARY), then the rest. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) =>
    v === null || v === undefined ? 0 : typeof v === 'number' ? 1 : typeof v === 'string' ? 2 : 3;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  if (ra === 2) return compareText(a as string, b as string);
  return 0;
}

type Found = unknown[];

function rowOrder(s: EventsStatement) {
  const n = s.columns.length;
  return (a: Found, b: Found): number => {
    for (const [i, term] of s.order.entries()) {
      const c = compareValues(a[n + i], b[n + i]);
      if (c !== 0) return term.desc ? -c : c;
    }
    // The uuid tie-break (non-aggregated): descending, as the single statement's `e.uuid DESC`.
    return s.aggregated ? 0 : -compareValues(a[a.length - 1], b[b.length - 1]);
  };
}

function sliceStatement(s: EventsStatement, range: IndexScope, slice: Slice): SQL {
  const partial = (expr: SQL, merge?: string) =>
    merge === 'count'
      ? sql`count(*)`
      : merge === 'min'
        ? sql`min(${expr})`
        : merge === 'max'
          ? sql`max(${expr})`
          : expr;
  const values = [
    ...s.columns.map((c) => (s.aggregated ? partial(c.sql, c.merge) : c.sql)),
    ...s.order.map((o) => (s.aggregated ? partial(o.sql, o.merge) : o.sql)),
    ...(s.aggregated ? [] : [sql`e.uuid`]),
  ];
  const select = sql.join(
    values.map((v, i) => sql`${v} AS ${sql.raw(`v${i}`)}`),
    sql`, `,
  );
  const where = sql.join([sliceWhere(s.needs, range, slice), ...s.conditions], sql` AND `);
  if (s.aggregated) {
    const groupBy = s.columns.filter((c) => !c.merge).map((c) => c.sql);
    return sql`SELECT ${select} FROM ${sliceFrom(s.needs, range)} WHERE ${where}
      ${groupBy.length ? sql`GROUP BY ${sql.join(groupBy, sql`, `)}` : sql``}`;
  }
  const orderBy = sql.join(
    [...s.order.map((o) => sql`${o.sql} ${sql.raw(o.desc ? 'DESC' : 'ASC')}`), sql`e.uuid DESC`],
    sql`, `,
  );
  return sql`SELECT ${select} FROM ${sliceFrom(s.needs, range)} WHERE ${where} ORDER BY ${orderBy}
    LIMIT ${s.wanted}`;
}

/** The slices to read, in reading order: by time in the order's direction when it allows stopping early. */
async function slicesToRead(ctx: QueryContext, s: EventsStatement): Promise<[IndexScope, Slice][]> {
  const limits = budgetOf(ctx.db)?.limits ?? QUERY_BUDGET;
  const ranges = indexScopesOf(s.scope);
  const out: [IndexScope, Slice][] = [];
  for (const range of ranges) {
    // Time order needs key ranges (rowid slices lie in table order).
    const slices =
      s.byTime && ranges.length === 1
        ? slicesOf(ctx.db, range, walkOf(limits, limits.statementRows))
        : eventSlices(ctx.db, range, s.needs);
    for await (const slice of slices) out.push([range, slice]);
  }
  return s.byTime === 'desc' && ranges.length === 1 ? out.reverse() : out;
}

/** The first time a later slice (in reading order) can hold, or null when unknown. */
function nextSliceTime(slice: Slice, byTime: 'asc' | 'desc'): string | null {
  if (slice.kind === 'pile') return slice.key[0]!;
  if (slice.kind === 'rows') return null;
  return byTime === 'desc' ? slice.from[0]! : (slice.to?.[0] ?? null);
}

export async function runSlicedEvents(ctx: QueryContext, s: EventsStatement): Promise<unknown[][]> {
  const limits = budgetOf(ctx.db)?.limits ?? QUERY_BUDGET;
  const order = rowOrder(s);
  const timeAt = s.columns.length; // the first order value: the time, when ordered by time
  let kept: Found[] = [];
  const groups = new Map<string, Found>();
  const slices = await slicesToRead(ctx, s);
  for (const [range, slice] of slices) {
    const rows = await run<Record<string, unknown>>(ctx.db, sliceStatement(s, range, slice));
    const width = s.columns.length + s.order.length + (s.aggregated ? 0 : 1);
    const found = rows.map((r) => Array.from({ length: width }, (_, i) => r[`v${i}`]));
    if (!s.aggregated) {
      kept = [...kept, ...found].sort(order).slice(0, s.wanted);
      const bound = s.byTime && kept.length >= s.wanted ? nextSliceTime(slice, s.byTime) : null;
      const last = kept[kept.length - 1]?.[timeAt];
      // Every later slice's rows are at or beyond `bound`: none can rank before the last kept row.
      if (bound !== null && typeof last === 'string' && (s.byTime === 'desc' ? last > bound : last < bound)) break;
      continue;
    }
    for (const row of found) mergeGroup(s, groups, row);
    if (groups.size > limits.mergedValues) {
      throw tooExpensive(
        `The query groups events into more than ${limits.mergedValues} rows; narrow the range or group by fewer columns.`,
        'query.select',
      );
    }
  }
  return s.aggregated ? [...groups.values()].sort(order).slice(0, s.wanted) : kept;
}

/** Adds a slice's partial row of one group (its event-level values) into the groups merged so far. */
function mergeGroup(s: EventsStatement, groups: Map<string, Found>, row: Found): void {
  const merges = [...s.columns.map((c) => c.merge), ...s.order.map((o) => o.merge)];
  const key = JSON.stringify(row.filter((_, i) => !merges[i]));
  const seen = groups.get(key);
  if (!seen) {
    groups.set(key, row);
    return;
  }
  for (const [i, merge] of merges.entries()) {
    if (merge === 'count') seen[i] = Number(seen[i]) + Number(row[i]);
    else if (merge === 'min' && row[i] !== null && (seen[i] === null || compareValues(row[i], seen[i]) < 0))
      seen[i] = row[i];
    else if (merge === 'max' && compareValues(row[i], seen[i]) > 0) seen[i] = row[i];
  }
}
