/**
 * The statements of one trends series over its slices (slices.ts): a slice
 * that holds whole buckets computes their final values as one statement over
 * the whole range would; a slice within one bucket returns a partial of it
 * (trends-merge.ts merges them). Weekly/monthly active users read each
 * actor's active days per slice and count the windows in the Worker.
 */
import { sql, type SQL } from 'drizzle-orm';
import { QUERY_BUDGET, budgetOf, tooExpensive } from './budget';
import type { QueryContext } from './context';
import { PERSONS, run, runPacked } from './source';
import { eventSlices } from './event-slices';
import type { Slice } from './slices';
import { bucketKeySql, localOf, ymd } from './time';
import { type PartialKind, type PartialRow, type Row, SeriesMerge, activeUsers } from './trends-merge';
import type { Aggregate, CompiledTrends, Period, SeriesParts } from './trends-series';

const limitsOf = (ctx: QueryContext) => budgetOf(ctx.db)?.limits ?? QUERY_BUDGET;

const tooManyHeld = (max: number) => () =>
  tooExpensive(
    `More than ${max} distinct actors or values would be held to merge intervals larger than one statement ` +
      'reads; use a shorter interval or date range, or fewer breakdown values.',
    'query.dateRange',
  );

/** `dau` of persons without person properties: each distinct id looked up once per bucket and value. */
const groupedDau = (parts: SeriesParts, agg: Aggregate) =>
  'distinct' in agg && parts.math === 'dau' && parts.target === PERSONS && !parts.needs.person;

function kindOf(agg: Aggregate): PartialKind {
  if ('distinct' in agg) return 'set';
  if ('quantile' in agg) return 'values';
  return agg.fn === 'count' || agg.fn === 'sum' ? 'add' : agg.fn;
}

/** Each (distinct id, stored person) of a bucket and value once, sorted by distinct id, then its current person. */
function dauSql(ctx: QueryContext, parts: SeriesParts, slice: Slice, value: (person: SQL) => SQL): SQL {
  const seen = sql`SELECT e.distinct_id AS distinct_id, e.person_id_at_ingest AS person_id_at_ingest,
      ${parts.bucket} AS bucket, ${parts.bv} AS bv
    FROM ${parts.events()} WHERE ${parts.where(slice)} GROUP BY 1, 2, 3, 4`;
  return sql`SELECT s.bucket AS bucket, s.bv AS bv, ${value(sql`COALESCE(m.person_id, s.person_id_at_ingest)`)}
    FROM (${seen}) s LEFT JOIN person_distinct_ids m ON m.project_id = ${ctx.projectId}
      AND m.distinct_id = s.distinct_id
    GROUP BY 1, 2`;
}

function quantileValues(parts: SeriesParts, value: SQL, slice: Slice): SQL {
  return sql`SELECT ${parts.bucket} AS bucket, ${parts.bv} AS bv, ${value} AS val FROM ${parts.from()}
    WHERE ${parts.where(slice)}`;
}

/** Final (bucket, bv, value) rows of the buckets a slice holds whole. */
function wholeSql(ctx: QueryContext, parts: SeriesParts, agg: Aggregate, slice: Slice): SQL {
  if (groupedDau(parts, agg)) return dauSql(ctx, parts, slice, (person) => sql`count(DISTINCT ${person}) AS value`);
  if ('quantile' in agg) {
    const ranked = sql`SELECT bucket, bv, val, row_number() OVER (PARTITION BY bucket, bv ORDER BY val) - 1 AS i,
        count(*) OVER (PARTITION BY bucket, bv) AS n FROM (${quantileValues(parts, agg.value, slice)})
      WHERE val IS NOT NULL`;
    const at = sql`(${agg.quantile} * (n - 1))`;
    return sql`SELECT bucket, bv, lo * (1 - f) + COALESCE(hi, lo) * f AS value FROM (
        SELECT bucket, bv, max(CASE WHEN i = CAST(${at} AS INTEGER) THEN val END) AS lo,
          max(CASE WHEN i = CAST(${at} AS INTEGER) + 1 THEN val END) AS hi,
          max(${at} - CAST(${at} AS INTEGER)) AS f
        FROM (${ranked}) GROUP BY bucket, bv)`;
  }
  const value =
    'distinct' in agg
      ? sql`count(DISTINCT ${agg.distinct})`
      : agg.fn === 'count'
        ? sql`count(*)`
        : sql`COALESCE(${sql.raw(agg.fn)}(${agg.value}), 0)`;
  return sql`SELECT ${parts.bucket} AS bucket, ${parts.bv} AS bv, ${value} AS value
    FROM ${parts.from()} WHERE ${parts.where(slice)} GROUP BY 1, 2`;
}

/** Partial rows of the bucket(s) a slice does not hold whole (PartialRow: bucket, bv, value, n, json). */
function partialSql(ctx: QueryContext, parts: SeriesParts, agg: Aggregate, slice: Slice): SQL {
  if (groupedDau(parts, agg))
    return dauSql(
      ctx,
      parts,
      slice,
      (person) => sql`NULL AS value, NULL AS n, json_group_array(DISTINCT ${person}) AS json`,
    );
  if ('quantile' in agg) {
    return sql`SELECT bucket, bv, NULL AS value, NULL AS n, json_group_array(val) AS json
      FROM (${quantileValues(parts, agg.value, slice)}) WHERE val IS NOT NULL GROUP BY bucket, bv`;
  }
  let columns: SQL;
  if ('distinct' in agg) columns = sql`NULL AS value, NULL AS n, json_group_array(DISTINCT ${agg.distinct}) AS json`;
  else if (agg.fn === 'count') columns = sql`count(*) AS value, NULL AS n, NULL AS json`;
  else if (agg.fn === 'avg') columns = sql`sum(${agg.value}) AS value, count(${agg.value}) AS n, NULL AS json`;
  else columns = sql`${sql.raw(agg.fn)}(${agg.value}) AS value, NULL AS n, NULL AS json`;
  return sql`SELECT ${parts.bucket} AS bucket, ${parts.bv} AS bv, ${columns}
    FROM ${parts.from()} WHERE ${parts.where(slice)} GROUP BY 1, 2`;
}

const PARTIAL_COLUMNS = ['bucket', 'bv', 'value', 'n', 'json'];

/** A packed breakdown value as the rows' text: several breakdowns' JSON list may arrive parsed. */
const textOf = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** A slice's partial rows, packed: a slice of rows read by rowid holds thousands of (bucket, value) pairs. */
async function partialRows(ctx: QueryContext, statement: SQL): Promise<PartialRow[]> {
  const packed = await runPacked(ctx.db, statement, PARTIAL_COLUMNS);
  return packed.map(([bucket, bv, value, n, json]) => ({
    bucket: String(bucket),
    bv: textOf(bv),
    value: value as number | null,
    n: n as number | null,
    json: json as PartialRow['json'],
  }));
}

/** A series' (bucket, bv, value) rows over its slices, merged. */
export async function slicedRows(
  ctx: QueryContext,
  c: CompiledTrends,
  period: Period,
  parts: SeriesParts,
  agg: Aggregate,
): Promise<Row[]> {
  const limits = limitsOf(ctx);
  const level = 'quantile' in agg ? agg.quantile : 0;
  const merge = new SeriesMerge(kindOf(agg), level, limits.mergedValues, tooManyHeld(limits.mergedValues));
  // Slices end on bucket starts where they can, so most buckets are computed whole by one statement.
  const cuts = c.aggregate ? [] : period.buckets.map((b) => b.start);
  for await (const slice of eventSlices(ctx.db, parts.scope, parts.needs, cuts)) {
    if (slice.whole) merge.addWhole(await run<Row>(ctx.db, wholeSql(ctx, parts, agg, slice)));
    else merge.addPartial(await partialRows(ctx, partialSql(ctx, parts, agg, slice)));
  }
  return merge.rows();
}

/**
 * Weekly/monthly active users: each actor's distinct active days (local days)
 * per slice, united, then each bucket's window counted (trends-merge.ts
 * `activeUsers`). Events without the aggregation group count for nobody.
 */
export async function activeUserRows(
  ctx: QueryContext,
  c: CompiledTrends,
  period: Period,
  parts: SeriesParts,
): Promise<Row[]> {
  const limits = limitsOf(ctx);
  const day = bucketKeySql(sql.raw('e.timestamp'), 'day', c.segments);
  const active = new Map<string, { bv: string; days: Set<string> }>();
  let held = 0;
  for await (const slice of eventSlices(ctx.db, parts.scope, parts.needs)) {
    const rows = await runPacked(
      ctx.db,
      sql`SELECT bv, actor, group_concat(DISTINCT day) AS days FROM (
          SELECT ${day} AS day, ${parts.bv} AS bv, ${parts.target.actor} AS actor
          FROM ${parts.from()} WHERE ${parts.where(slice)})
        WHERE actor IS NOT NULL GROUP BY bv, actor`,
      ['bv', 'actor', 'days'],
    );
    for (const [bv, actor, days] of rows as [unknown, string, string][]) {
      const key = `${textOf(bv)}\u0000${actor}`;
      let entry = active.get(key);
      if (!entry) active.set(key, (entry = { bv: textOf(bv), days: new Set() }));
      const before = entry.days.size;
      for (const d of String(days).split(',')) entry.days.add(d);
      held += entry.days.size - before;
    }
    if (held > limits.mergedValues) throw tooManyHeld(limits.mergedValues)();
  }
  const window = parts.window!;
  return activeUsers(
    active,
    window,
    c.aggregate ? { since: ymd(localOf(period.from, ctx.timezone)) } : { keys: period.buckets.map((b) => b.key) },
  );
}
