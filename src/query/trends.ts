/**
 * TrendsQuery: per series, a value per interval bucket (or one value for the
 * whole range with the aggregate displays), optionally broken down by an event
 * or person property, optionally beside the previous period.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { QueryError } from './errors';
import { groupTarget, requiredGroupIndex } from './groups';
import {
  BREAKDOWN_OTHER,
  breakdownValueSql,
  propertiesSql,
  propertyNumber,
  propertyText,
  sourceOf,
  type Needs,
} from './filters';
import { AGGREGATE_DISPLAYS, type EventsNodeInput, type TrendsQueryInput } from './schema';
import {
  PERSONS,
  earliestEvent,
  eventsFrom,
  regexResolver,
  run,
  scopeByRowSql,
  scopeSql,
  type AggregationTarget,
} from './source';
import {
  DAY,
  bucketKeySql,
  localOf,
  bucketsOf,
  offsetSegments,
  shiftBuckets,
  ymd,
  zonedIso,
  type Bucket,
  type Interval,
  type OffsetSegment,
} from './time';

const QUANTILES: Record<string, number> = { median: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };
const SIMPLE_PROPERTY_MATHS: Record<string, string> = { sum: 'sum', avg: 'avg', min: 'min', max: 'max' };
/** Days in the window of weekly/monthly active users, ending with the bucket's day. */
const ACTIVE_WINDOW_DAYS: Record<string, number> = { weekly_active: 7, monthly_active: 30 };
export const DEFAULT_BREAKDOWN_LIMIT = 25;

interface Period {
  from: number;
  to: number;
  buckets: Bucket[];
}

interface SeriesPlan {
  series: EventsNodeInput;
  order: number;
  attr: string;
}

interface Row {
  bucket: string;
  bv: string;
  value: number | null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** PostHog's format_label_date. */
function labelOf(b: Bucket, interval: Interval): string {
  const { year, month, day, hour, minute } = b.local;
  if (interval === 'hour') return `${day}-${MONTHS[month - 1]}-${year} ${pad(hour)}:${pad(minute)}`;
  if (interval === 'month') return `${MONTHS[month - 1]} ${year}`;
  return `${day}-${MONTHS[month - 1]}-${year}`;
}

function dayOf(b: Bucket, interval: Interval): string {
  return interval === 'hour' ? `${ymd(b.local)} ${pad(b.local.hour)}:${pad(b.local.minute)}:00` : ymd(b.local);
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

interface Compiled {
  query: TrendsQueryInput;
  interval: Interval;
  aggregate: boolean;
  segments: OffsetSegment[];
  breakdown: { type: string; key: string; limit: number; groupTypeIndex: number | null } | null;
}

async function seriesRows(ctx: QueryContext, c: Compiled, plan: SeriesPlan, period: Period): Promise<Row[]> {
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
  const bv = c.breakdown
    ? breakdownValueSql(
        c.breakdown.type,
        c.breakdown.key,
        needs,
        'query.breakdownFilter.breakdown_type',
        c.breakdown.groupTypeIndex,
      )
    : sql`''`;
  const bucket = c.aggregate ? sql`''` : bucketKeySql(sql.raw('e.timestamp'), c.interval, c.segments);
  // Built once every part has marked what it reads (needs.row: the event rows, not only the index).
  const where = () => sql`${needs.row ? scopeByRowSql(scope) : scopeSql(scope)} AND ${filters}`;

  let base: SQL;
  if (window) {
    if (c.interval === 'hour')
      throw QueryError.badField(`${attr}.math`, `${attr}.math: "${math}" needs a day, week or month interval.`);
    target.require(needs);
    const day = bucketKeySql(sql.raw('e.timestamp'), 'day', c.segments);
    const firstDay = ymd(localOf(period.from, ctx.timezone));
    const act = sql`SELECT DISTINCT ${day} AS day, ${bv} AS bv, ${target.actor} AS actor FROM ${eventsFrom(needs)} WHERE ${where()}`;
    if (c.aggregate) {
      base = sql`SELECT '' AS bucket, act.bv AS bv, count(DISTINCT act.actor) AS value FROM (${act}) act
        WHERE act.day >= date(${firstDay}, ${`-${window - 1} days`}) GROUP BY act.bv`;
    } else {
      const days = JSON.stringify(period.buckets.map((b) => b.key));
      base = sql`SELECT d.value AS bucket, act.bv AS bv, count(DISTINCT act.actor) AS value
        FROM json_each(${days}) d JOIN (${act}) act ON act.day >= date(d.value, ${`-${window - 1} days`}) AND act.day <= d.value
        GROUP BY d.value, act.bv`;
    }
  } else if (QUANTILES[math] !== undefined) {
    const level = QUANTILES[math]!;
    const value = mathValue(series, attr, needs);
    const vals = sql`SELECT ${bucket} AS bucket, ${bv} AS bv, ${value} AS val FROM ${eventsFrom(needs)} WHERE ${where()}`;
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
    const seen = sql`SELECT e.distinct_id AS distinct_id, e.person_id_at_ingest AS person_id_at_ingest, ${bucket} AS bucket, ${bv} AS bv
      FROM events e WHERE ${where()} GROUP BY 1, 2, 3, 4`;
    base = sql`SELECT s.bucket AS bucket, s.bv AS bv, count(DISTINCT COALESCE(m.person_id, s.person_id_at_ingest)) AS value
      FROM (${seen}) s LEFT JOIN person_distinct_ids m ON m.project_id = ${ctx.projectId} AND m.distinct_id = s.distinct_id
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
    SELECT base.bucket AS bucket, CASE WHEN ranked.rn <= ${c.breakdown.limit} THEN base.bv ELSE ${BREAKDOWN_OTHER} END AS bv, sum(base.value) AS value
    FROM base JOIN ranked ON ranked.bv = base.bv GROUP BY 1, 2`,
  );
}

export type TrendsResult = Record<string, unknown>;

function previousPeriod(ctx: QueryContext, c: Compiled, current: Period): Period {
  if (c.aggregate) {
    const from = current.from - (current.to - current.from);
    return { from, to: current.from, buckets: [] };
  }
  const from = shiftBuckets(current.buckets[0]!.start, c.interval, -current.buckets.length, ctx.timezone);
  const buckets = bucketsOf(from, current.from, c.interval, ctx.timezone, c.segments);
  return { from, to: current.from, buckets };
}

export async function runTrends(
  ctx: QueryContext,
  query: TrendsQueryInput,
): Promise<{ results: TrendsResult[]; hasMore: boolean }> {
  const display = query.trendsFilter?.display ?? 'ActionsLineGraph';
  const aggregate = (AGGREGATE_DISPLAYS as readonly string[]).includes(display);
  const interval: Interval = aggregate ? 'day' : (query.interval ?? 'day');
  const range = await resolveDateRange(query.dateRange, {
    interval,
    timezone: ctx.timezone,
    now: ctx.now,
    defaultFrom: '-7d',
    earliest: () => earliestEvent(ctx.db, ctx.projectId),
    attr: 'query.dateRange',
  });
  const compare = query.compareFilter?.compare === true;
  const span = range.to - range.from;
  const segments = offsetSegments(range.from - (compare ? span + 32 * DAY : 32 * DAY), range.to, ctx.timezone);
  const bf = query.breakdownFilter;
  const breakdown = bf?.breakdown
    ? {
        type: bf.breakdown_type ?? 'event',
        key: bf.breakdown,
        limit: bf.breakdown_limit ?? DEFAULT_BREAKDOWN_LIMIT,
        groupTypeIndex: bf.breakdown_group_type_index ?? null,
      }
    : null;
  if (breakdown) {
    sourceOf(
      breakdown.type,
      'query.breakdownFilter.breakdown_type',
      breakdown.groupTypeIndex,
      'query.breakdownFilter.breakdown_group_type_index',
    );
  }
  const c: Compiled = { query, interval, aggregate, segments, breakdown };
  const current: Period = {
    ...range,
    buckets: aggregate ? [] : bucketsOf(range.from, range.to, interval, ctx.timezone, segments),
  };
  const periods: [Period, 'current' | 'previous' | null][] = compare
    ? [
        [current, 'current'],
        [previousPeriod(ctx, c, current), 'previous'],
      ]
    : [[current, null]];
  const plans: SeriesPlan[] = query.series.map((series, order) => ({ series, order, attr: `query.series.${order}` }));
  const results: TrendsResult[] = [];
  let hasMore = false;
  for (const [period, compareLabel] of periods) {
    for (const plan of plans) {
      const rows = await seriesRows(ctx, c, plan, period);
      const objects = seriesObjects(ctx, c, plan, period, rows, compareLabel);
      if (objects.some((o) => o.breakdown_value === BREAKDOWN_OTHER)) hasMore = true;
      results.push(
        ...objects.filter((o) => !(bf?.breakdown_hide_other_aggregation && o.breakdown_value === BREAKDOWN_OTHER)),
      );
    }
  }
  return { results, hasMore };
}

function seriesObjects(
  ctx: QueryContext,
  c: Compiled,
  plan: SeriesPlan,
  period: Period,
  rows: Row[],
  compareLabel: 'current' | 'previous' | null,
): (TrendsResult & { breakdown_value?: string })[] {
  const { series } = plan;
  const name = series.event ?? null;
  const label = name ?? 'All events';
  const action = {
    days: period.buckets.map((b) => zonedIso(b.start, ctx.timezone)),
    id: name,
    type: 'events',
    order: plan.order,
    name: name ?? 'All events',
    custom_name: series.custom_name ?? null,
    math: series.math ?? null,
    math_property: series.math_property ?? null,
    math_hogql: null,
    math_group_type_index: series.math_group_type_index ?? null,
    properties: {},
  };
  const byValue = new Map<string, Map<string, number>>();
  for (const r of rows) {
    let m = byValue.get(r.bv);
    if (!m) byValue.set(r.bv, (m = new Map()));
    m.set(r.bucket, (m.get(r.bucket) ?? 0) + Number(r.value ?? 0));
  }
  if (!c.breakdown && byValue.size === 0) byValue.set('', new Map());
  const objects = [...byValue].map(([bv, values]) => {
    const o: TrendsResult & { breakdown_value?: string } = c.aggregate
      ? { data: [], days: [], count: 0, aggregated_value: values.get('') ?? 0 }
      : (() => {
          const data = period.buckets.map((b) => values.get(b.key) ?? 0);
          return {
            data,
            labels: period.buckets.map((b) => labelOf(b, c.interval)),
            days: period.buckets.map((b) => dayOf(b, c.interval)),
            count: data.reduce((a, v) => a + v, 0),
          };
        })();
    o.label = label;
    o.filter = filterOf(c, period, ctx.timezone);
    o.action = action;
    if (compareLabel) {
      o.compare = true;
      o.compare_label = compareLabel;
    }
    if (c.breakdown) {
      o.label = c.query.series.length > 1 ? `${label} - ${bv}` : bv;
      o.breakdown_value = bv;
    }
    return o;
  });
  const total = (o: TrendsResult) => (c.aggregate ? (o.aggregated_value as number) : (o.count as number));
  return objects.sort((a, b) => {
    const ao = a.breakdown_value === BREAKDOWN_OTHER ? 1 : 0;
    const bo = b.breakdown_value === BREAKDOWN_OTHER ? 1 : 0;
    if (ao !== bo) return ao - bo;
    if (total(a) !== total(b)) return total(b) - total(a);
    return (a.breakdown_value ?? '') < (b.breakdown_value ?? '')
      ? -1
      : (a.breakdown_value ?? '') > (b.breakdown_value ?? '')
        ? 1
        : 0;
  });
}

function filterOf(c: Compiled, period: Period, timezone: string): Record<string, unknown> {
  const q = c.query;
  return {
    insight: 'TRENDS',
    date_from: zonedIso(period.from, timezone),
    date_to: zonedIso(period.to - 1, timezone),
    interval: c.interval,
    ...(q.properties ? { properties: q.properties } : {}),
    ...(q.trendsFilter?.display ? { display: q.trendsFilter.display } : {}),
    ...(q.breakdownFilter ?? {}),
  };
}
