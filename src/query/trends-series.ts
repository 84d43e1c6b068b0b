/**
 * One TrendsQuery series over one period as SQL: a value per interval bucket and
 * breakdown value, by the series' math (counts, active users, property maths).
 */
import { sql, type SQL } from 'drizzle-orm';
import { activeUsersSql } from './active-users';
import type { QueryContext } from './context';
import { QueryError } from './errors';
import { type BreakdownPlan, trendsBreakdownSql, trendsOtherKey } from './breakdowns';
import { propertiesSql, propertyNumber, propertyText, sourceOf } from './filters';
import { groupTarget, requiredGroupIndex } from './groups';
import type { EventsNodeInput, TrendsQueryInput } from './schema';
import { PERSONS, eventsFrom, regexResolver, run, scopeByRowSql, scopeSql } from './source';
import { DAY, bucketKeySql, localOf, ymd, type Bucket, type Interval, type OffsetSegment } from './time';
import type { AggregationTarget, Needs } from './types';

const QUANTILES: Record<string, number> = { median: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };
const SIMPLE_PROPERTY_MATHS: Record<string, string> = { sum: 'sum', avg: 'avg', min: 'min', max: 'max' };
/** Days in the window of weekly/monthly active users, ending with the bucket's day. */
const ACTIVE_WINDOW_DAYS: Record<string, number> = { weekly_active: 7, monthly_active: 30 };

export interface Period {
  from: number;
  to: number;
  buckets: Bucket[];
}

export interface SeriesPlan {
  series: EventsNodeInput;
  order: number;
  attr: string;
}

export interface Row {
  bucket: string;
  bv: string;
  value: number | null;
}

/** The aggregate of one series over a group of its events, as SQL. */
function aggregateSql(series: EventsNodeInput, attr: string, needs: Needs, target: AggregationTarget): SQL {
  const math = series.math ?? 'total';
  if (math === 'total') return sql`count(*)`;
  if (math === 'dau') {
    target.require(needs);
    return sql`count(DISTINCT ${target.actor})`;
  }
  if (math === 'unique_group') {
    const index = requiredGroupIndex(
      series.math_group_type_index,
      `${attr}.math_group_type_index`,
      'math "unique_group"',
    );
    return sql`count(DISTINCT ${groupTarget(index).actor})`;
  }
  if (math === 'unique_session') {
    needs.row = true;
    return sql`count(DISTINCT NULLIF(${propertyText(sql.raw('e.properties'), '$session_id')}, ''))`;
  }
  const fn = SIMPLE_PROPERTY_MATHS[math];
  if (fn) return sql`COALESCE(${sql.raw(fn)}(${mathValue(series, attr, needs)}), 0)`;
  throw new Error(`no simple aggregate for ${math}`);
}

function mathValue(series: EventsNodeInput, attr: string, needs: Needs): SQL {
  if (!series.math_property)
    throw QueryError.badField(
      `${attr}.math_property`,
      `${attr}.math_property: math "${series.math}" needs a math_property.`,
    );
  const source = sourceOf(
    series.math_property_type === 'person_properties' ? 'person' : 'event',
    `${attr}.math_property_type`,
  );
  source.require(needs);
  return propertyNumber(source.column, series.math_property);
}

export interface CompiledTrends {
  query: TrendsQueryInput;
  interval: Interval;
  aggregate: boolean;
  segments: OffsetSegment[];
  breakdown: BreakdownPlan | null;
}

/** What a series reads: its scope, filters, breakdown value and bucket as SQL, shared with actors-trends.ts. */
interface SeriesParts {
  math: string;
  needs: Needs;
  target: AggregationTarget;
  /** Days in the active-users window (weekly/monthly active), else undefined. */
  window: number | undefined;
  scope: Parameters<typeof scopeSql>[0];
  bv: SQL;
  bucket: SQL;
  /** The WHERE clause; call it once every part has marked what it reads. */
  where: () => SQL;
}

export async function seriesParts(
  ctx: QueryContext,
  c: CompiledTrends,
  plan: SeriesPlan,
  period: Period,
): Promise<SeriesParts> {
  const { series, attr } = plan;
  const math = series.math ?? 'total';
  const needs: Needs = { person: false };
  const groupIndex = c.query.aggregation_group_type_index;
  const target = groupIndex === undefined || groupIndex === null ? PERSONS : groupTarget(groupIndex);
  const window = ACTIVE_WINDOW_DAYS[math];
  const scopeFrom = window ? period.from - (window + 1) * DAY : period.from;
  const scope = { projectId: ctx.projectId, from: scopeFrom, to: period.to, event: series.event };
  const regex = regexResolver(ctx.db, scope);
  const filters = sql`${await propertiesSql(c.query.properties, 'query.properties', needs, regex)}
    AND ${await propertiesSql(series.properties, `${attr}.properties`, needs, regex)}`;
  const bv = c.breakdown ? trendsBreakdownSql(c.breakdown, needs) : sql`''`;
  const bucket = c.aggregate ? sql`''` : bucketKeySql(sql.raw('e.timestamp'), c.interval, c.segments);
  // Built once every part has marked what it reads (needs.row: the event rows, not only the index).
  const where = () => sql`${needs.row ? scopeByRowSql(scope) : scopeSql(scope)} AND ${filters}`;
  return { math, needs, target, window, scope, bv, bucket, where };
}

export async function seriesRows(
  ctx: QueryContext,
  c: CompiledTrends,
  plan: SeriesPlan,
  period: Period,
): Promise<Row[]> {
  const { series, attr } = plan;
  const { math, needs, target, window, bv, bucket, where } = await seriesParts(ctx, c, plan, period);
  let base: SQL;
  if (window) {
    if (c.interval === 'hour')
      throw QueryError.badField(`${attr}.math`, `${attr}.math: "${math}" needs a day, week or month interval.`);
    target.require(needs);
    const day = bucketKeySql(sql.raw('e.timestamp'), 'day', c.segments);
    const firstDay = ymd(localOf(period.from, ctx.timezone));
    const act = sql`SELECT DISTINCT ${day} AS day, ${bv} AS bv, ${target.actor} AS actor FROM ${eventsFrom(needs)}
      WHERE ${where()}`;
    if (c.aggregate) {
      base = sql`SELECT '' AS bucket, act.bv AS bv, count(DISTINCT act.actor) AS value FROM (${act}) act
        WHERE act.day >= date(${firstDay}, ${`-${window - 1} days`}) GROUP BY act.bv`;
    } else {
      base = activeUsersSql({ activeDays: act, window, bucketKeys: period.buckets.map((b) => b.key) });
    }
  } else if (QUANTILES[math] !== undefined) {
    const level = QUANTILES[math]!;
    const value = mathValue(series, attr, needs);
    const vals = sql`SELECT ${bucket} AS bucket, ${bv} AS bv, ${value} AS val FROM ${eventsFrom(needs)}
      WHERE ${where()}`;
    const ranked = sql`SELECT bucket, bv, val, row_number() OVER (PARTITION BY bucket, bv ORDER BY val) - 1 AS i,
        count(*) OVER (PARTITION BY bucket, bv) AS n FROM (${vals}) WHERE val IS NOT NULL`;
    const at = sql`(${level} * (n - 1))`;
    base = sql`SELECT bucket, bv, lo * (1 - f) + COALESCE(hi, lo) * f AS value FROM (
        SELECT bucket, bv, max(CASE WHEN i = CAST(${at} AS INTEGER) THEN val END) AS lo,
          max(CASE WHEN i = CAST(${at} AS INTEGER) + 1 THEN val END) AS hi,
          max(${at} - CAST(${at} AS INTEGER)) AS f
        FROM (${ranked}) GROUP BY bucket, bv)`;
  } else if (math === 'dau' && target === PERSONS && !needs.person) {
    // Each (distinct id, stored person) of a bucket and value once, sorted by distinct id, and only
    // then its current person: one lookup per distinct id and bucket, in key order, not one per event.
    const seen = sql`SELECT e.distinct_id AS distinct_id, e.person_id_at_ingest AS person_id_at_ingest,
        ${bucket} AS bucket, ${bv} AS bv
      FROM events e WHERE ${where()} GROUP BY 1, 2, 3, 4`;
    base = sql`SELECT s.bucket AS bucket, s.bv AS bv,
        count(DISTINCT COALESCE(m.person_id, s.person_id_at_ingest)) AS value
      FROM (${seen}) s LEFT JOIN person_distinct_ids m ON m.project_id = ${ctx.projectId}
        AND m.distinct_id = s.distinct_id
      GROUP BY 1, 2`;
  } else {
    const value = aggregateSql(series, attr, needs, target);
    base = sql`SELECT ${bucket} AS bucket, ${bv} AS bv, ${value} AS value
      FROM ${eventsFrom(needs)} WHERE ${where()} GROUP BY 1, 2`;
  }
  if (!c.breakdown) return run<Row>(ctx.db, base);
  // PostHog's breakdown limit: values ranked by their total; the rest summed into "other".
  return run<Row>(
    ctx.db,
    sql`WITH base AS MATERIALIZED (${base}),
      ranked AS (SELECT bv, row_number() OVER (ORDER BY sum(value) DESC, bv ASC) AS rn FROM base GROUP BY bv)
    SELECT base.bucket AS bucket, CASE WHEN ranked.rn <= ${c.breakdown.limit} THEN base.bv
      ELSE ${trendsOtherKey(c.breakdown)} END AS bv, sum(base.value) AS value
    FROM base JOIN ranked ON ranked.bv = base.bv GROUP BY 1, 2`,
  );
}
