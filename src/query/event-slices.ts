/**
 * The slices a query's statement reads its events through (slices.ts), and
 * that statement's `FROM` and `WHERE` over one slice (events aliased `e`).
 *
 * A statement that reads only what the covering index holds walks key ranges
 * of the index. One that reads the event rows (a property, a person join
 * through them) reads them by rowid, in table order, each page once: events
 * of a time range lie all over the table when they arrived out of order, and
 * reading them in time order would read a page per row. So when the scope is
 * larger than one slice, its rowids are first gathered from the index (in
 * statements of `countedRows` entries), sorted, and cut into slices of
 * `statementRows` rowids.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { QUERY_BUDGET, type QueryLimits, budgetOf, tooExpensive } from './budget';
import { type Walk, countRows, oneSlice, slicesOf } from './slice-walk';
import { type IndexScope, type Slice, indexScopesOf, indexedBy, sliceSql } from './slices';
import { type EventScope, eventsFrom, run } from './source';
import type { Needs } from './types';

/**
 * A walk of slices of `rows` for a query with these limits: marks every eighth
 * of a statement's rows (the cost estimate's marks too, so they are shared).
 */
export function walkOf(limits: QueryLimits, rows: number, cuts: number[] = []): Walk {
  return { rows, step: Math.max(1, Math.floor(limits.statementRows / 8)), walk: limits.countedRows, cuts };
}

/**
 * A project's events in a time range (of some event names, or all), counted on the index in statements of at most
 * `countedRows` entries (slice-walk.ts) and stopped once past `cap`: the cost estimate of every query kind.
 */
export async function countEventRows(db: Db, scope: EventScope, cap: number, limits: QueryLimits): Promise<number> {
  let total = 0;
  for (const range of indexScopesOf(scope)) {
    total += await countRows(db, range, cap - total, walkOf(limits, limits.statementRows));
    if (total > cap) break;
  }
  return total;
}

export function sliceFrom(needs: Needs, scope: IndexScope): SQL {
  return eventsFrom(needs, needs.row ? sql`` : indexedBy(scope));
}

export function sliceWhere(needs: Needs, scope: IndexScope, slice: Slice): SQL {
  if (!needs.row || slice.kind === 'rows') return sliceSql(scope, slice);
  return sql`e.rowid IN (SELECT s.rowid FROM events s ${indexedBy(scope)} WHERE ${sliceSql(scope, slice, 's')})`;
}

/**
 * The slices of a scope for a statement with these `needs`, at most
 * `statementRows` rows each (budget.ts); `cuts` as slicesOf's (index reads only).
 */
export async function* eventSlices(
  db: Db,
  scope: IndexScope,
  needs: Needs,
  cuts: number[] = [],
): AsyncGenerator<Slice> {
  const limits = budgetOf(db)?.limits ?? QUERY_BUDGET;
  if (!needs.row) {
    yield* slicesOf(db, scope, walkOf(limits, limits.statementRows, cuts));
    return;
  }
  const one = await oneSlice(db, scope, limits.statementRows);
  if (one) {
    yield one;
    return;
  }
  let ids = new Float64Array(limits.statementRows * 4);
  let n = 0;
  for await (const slice of slicesOf(db, scope, walkOf(limits, limits.countedRows))) {
    const [row] = await run<{ ids: string | null }>(
      db,
      sql`SELECT group_concat(e.rowid) AS ids FROM events e ${indexedBy(scope)} WHERE ${sliceSql(scope, slice)}`,
    );
    for (const id of row?.ids ? row.ids.split(',') : []) {
      if (n === ids.length) {
        const grown = new Float64Array(ids.length * 2);
        grown.set(ids);
        ids = grown;
      }
      ids[n++] = Number(id);
    }
    if (n > limits.scannedRows) {
      throw tooExpensive(
        `The query would read more than ${limits.scannedRows} events; narrow the date range.`,
        'query.dateRange',
      );
    }
  }
  const sorted = ids.subarray(0, n).sort();
  for (let i = 0; i < n; i += limits.statementRows) {
    yield { kind: 'rows', ids: Array.from(sorted.subarray(i, i + limits.statementRows)), whole: false };
  }
}
