/**
 * One TrendsQuery series over one period: a value per interval bucket and
 * breakdown value, by the series' math (counts, active users, property maths).
 * The events are read in slices of at most `statementRows` (slices.ts), one
 * short statement each, and merged in the Worker (trends-merge.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import { budgetOf } from './budget';
import type { QueryContext } from './context';
import { QueryError } from './errors';
import { type BreakdownPlan, trendsBreakdownSql, trendsOtherKey } from './breakdowns';
import { propertiesSql, propertyNumber, propertyText, sourceOf } from './filters';
import { groupTarget, requiredGroupIndex } from './groups';
import type { EventsNodeInput, TrendsQueryInput } from './schema';
import { regexResolver } from './regex-values';
import { PERSONS } from './source';
import { sliceFrom, sliceWhere } from './event-slices';
import { type IndexScope, type Slice, indexedBy } from './slices';
import { DAY, bucketKeySql, type Bucket, type Interval, type OffsetSegment } from './time';
import { limitBreakdown, type Row } from './trends-merge';
import { activeUserRows, slicedRows } from './trends-slices';
import type { AggregationTarget, Needs } from './types';

export type { Row } from './trends-merge';

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

/**
 * What a series aggregates over a group of its events: distinct values of `distinct`, `fn` of `value`,
 * or the interpolated `quantile` of `value`.
 */
export type Aggregate =
  | { distinct: SQL }
  | { fn: 'count' }
  | { fn: 'sum' | 'avg' | 'min' | 'max'; value: SQL }
  | { quantile: number; value: SQL };

const QUANTILES: Record<string, number> = { median: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };

function aggregateOf(series: EventsNodeInput, attr: string, needs: Needs, target: AggregationTarget): Aggregate {
  const math = series.math ?? 'total';
  if (math === 'total') return { fn: 'count' };
  const level = QUANTILES[math];
  if (level !== undefined) return { quantile: level, value: mathValue(series, attr, needs) };
  if (math === 'dau') {
    target.require(needs);
    return { distinct: target.actor };
  }
  if (math === 'unique_group') {
    const index = requiredGroupIndex(
      series.math_group_type_index,
      `${attr}.math_group_type_index`,
      'math "unique_group"',
    );
    return { distinct: groupTarget(index).actor };
  }
  if (math === 'unique_session') {
    needs.row = true;
    return { distinct: sql`NULLIF(${propertyText(sql.raw('e.properties'), '$session_id')}, '')` };
  }
  const fn = SIMPLE_PROPERTY_MATHS[math] as 'sum' | 'avg' | 'min' | 'max' | undefined;
  if (fn) return { fn, value: mathValue(series, attr, needs) };
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
export interface SeriesParts {
  math: string;
  needs: Needs;
  target: AggregationTarget;
  /** Days in the active-users window (weekly/monthly active), else undefined. */
  window: number | undefined;
  /** The events the series reads: one index range, read in slices. */
  scope: IndexScope;
  bv: SQL;
  bucket: SQL;
  /** `FROM` the events and their joins, for statements over one slice. */
  from: () => SQL;
  /** `FROM` the events alone (no person joins). */
  events: () => SQL;
  /** The WHERE clause of one slice; call it once every part has marked what it reads. */
  where: (slice: Slice) => SQL;
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
  const scope: IndexScope = { projectId: ctx.projectId, from: scopeFrom, to: period.to, event: series.event };
  const regex = regexResolver(ctx.db, scope);
  const filters = sql`${await propertiesSql(c.query.properties, 'query.properties', needs, regex)}
    AND ${await propertiesSql(series.properties, `${attr}.properties`, needs, regex)}`;
  const bv = c.breakdown ? trendsBreakdownSql(c.breakdown, needs) : sql`''`;
  const bucket = c.aggregate ? sql`''` : bucketKeySql(sql.raw('e.timestamp'), c.interval, c.segments);
  // Built once every part has marked what it reads (needs.row: the event rows, not only the index).
  const from = () => sliceFrom(needs, scope);
  const events = () => sql`events e ${needs.row ? sql`` : indexedBy(scope)}`;
  const where = (slice: Slice) => sql`${sliceWhere(needs, scope, slice)} AND ${filters}`;
  return { math, needs, target, window, scope, bv, bucket, from, events, where };
}

/** The series' (bucket, breakdown value, value) rows, "other" formed past the breakdown limit. */
export async function seriesRows(
  ctx: QueryContext,
  c: CompiledTrends,
  plan: SeriesPlan,
  period: Period,
): Promise<Row[]> {
  const { series, attr } = plan;
  const parts = await seriesParts(ctx, c, plan, period);
  let rows: Row[];
  if (parts.window) {
    if (c.interval === 'hour')
      throw QueryError.badField(`${attr}.math`, `${attr}.math: "${parts.math}" needs a day, week or month interval.`);
    parts.target.require(parts.needs);
    rows = await activeUserRows(ctx, c, period, parts);
  } else {
    rows = await slicedRows(ctx, c, period, parts, aggregateOf(series, attr, parts.needs, parts.target));
  }
  // PostHog's breakdown limit: values ranked by their total; the rest summed into "other".
  if (!c.breakdown) return rows;
  const budget = budgetOf(ctx.db);
  return limitBreakdown(rows, c.breakdown.limit, trendsOtherKey(c.breakdown), async () => budget?.yieldIfDue());
}
