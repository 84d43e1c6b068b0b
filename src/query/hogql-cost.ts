/**
 * A HogQLQuery's cost before it runs, consistent with the other kinds (cost.ts): the rows of every
 * table read (src/hogql/cost-reads.ts), each counted on its index and stopped at the budget; joins that
 * multiply (CROSS JOIN, ON without an equality) multiply the counts. Over `scannedRows` is a 400
 * `query_too_expensive` that points at the largest read and names what would narrow it.
 */
import { sql } from 'drizzle-orm';
import type { Span } from '../hogql/ast';
import { type Reads, hogqlReads } from '../hogql/cost-reads';
import type { QueryBudget } from './budget';
import type { QueryContext } from './context';
import { parsePoint } from './date-range';
import { QueryError } from './errors';
import { parseHogQLSelect } from './hogql-query';
import type { HogQLQueryInput } from './schema';
import { countEventRows } from './event-slices';
import { run } from './source';

type TableRead = Reads & { kind: 'table' };

async function rowsOfTable(ctx: QueryContext, read: TableRead, budget: QueryBudget): Promise<number> {
  const cap = budget.limits.scannedRows;
  if (read.table === 'events') {
    // Counted as the other kinds count (event-slices.ts).
    const scope = { projectId: ctx.projectId, from: read.from, to: read.to, events: read.events };
    return countEventRows(ctx.db, scope, cap, budget.limits);
  }
  const [row] = await run<{ n: number }>(
    ctx.db,
    sql`SELECT count(*) AS n FROM (SELECT 1 FROM ${sql.raw(read.table)} WHERE project_id = ${ctx.projectId}
      LIMIT ${cap + 1})`,
  );
  return row?.n ?? 0;
}

export async function checkHogQLCost(ctx: QueryContext, query: HogQLQueryInput, budget: QueryBudget): Promise<void> {
  const cap = budget.limits.scannedRows;
  const point = (value: string | null | undefined, attr: string) =>
    value === undefined || value === null || value === 'all'
      ? undefined
      : parsePoint(value, attr, ctx.timezone, ctx.now).instant;
  const range = query.filters?.dateRange;
  const reads = hogqlReads(parseHogQLSelect(query.query, 'query.query'), {
    projectId: ctx.projectId,
    timezone: ctx.timezone,
    now: ctx.now,
    values: query.values ?? undefined,
    filtersRange: {
      from: point(range?.date_from, 'query.filters.dateRange.date_from'),
      to: point(range?.date_to, 'query.filters.dateRange.date_to'),
    },
  });
  // The same read (a CTE used twice, one range in two subqueries) is counted on the index once.
  const counted = new Map<string, number>();
  let largest: { rows: number; at?: Span } = { rows: -1 };
  const rows = async (r: Reads): Promise<number> => {
    if (r.kind === 'table') {
      const key = JSON.stringify([r.table, r.from, r.to, r.events]);
      let n = counted.get(key);
      if (n === undefined) counted.set(key, (n = await rowsOfTable(ctx, r, budget)));
      if (n > largest.rows) largest = { rows: n, at: r.at };
      return n;
    }
    let total = r.kind === 'sum' ? 0 : 1;
    for (const part of r.parts) {
      const n = await rows(part);
      total = r.kind === 'sum' ? total + n : total * n;
      if (total > cap) break;
    }
    return total;
  };
  const total = await rows(reads);
  if (total > cap) {
    const detail =
      `The query would read more than ${cap} rows; bound each events table in its WHERE ` +
      "(timestamp >= now() - INTERVAL 30 DAY, event = '…', or {filters} with a dateRange), " +
      'and join on an equality (JOIN … ON a = b) instead of CROSS JOIN.';
    const at = largest.at;
    throw new QueryError(400, 'query_too_expensive', detail, 'query.query', at && { start: at.start, end: at.end });
  }
}
