/**
 * TrendsQuery: per series, a value per interval bucket (or one value for the
 * whole range with the aggregate displays), optionally broken down by an event
 * or person property, optionally beside the previous period. The SQL of a
 * series is in trends-series.ts, the result objects in trends-results.ts.
 */
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { compareToPeriod, shiftBack } from './compare';
import { breakdownPlan } from './breakdowns';
import { AGGREGATE_DISPLAYS, type TrendsQueryInput } from './schema';
import { earliestEvent } from './source';
import { DAY, bucketsOf, offsetSegments, shiftBuckets, type Interval } from './time';
import { checkTrendsQuery, trendsAnswer } from './trends-answer';
import { seriesObjects, type TrendsResult } from './trends-results';
import { seriesRows, type CompiledTrends, type Period, type SeriesPlan } from './trends-series';

function previousPeriod(ctx: QueryContext, c: CompiledTrends, current: Period): Period {
  const compareTo = c.query.compareFilter?.compare_to;
  if (compareTo) return compareToPeriod(ctx.timezone, c, current, compareTo);
  if (c.aggregate) {
    const from = current.from - (current.to - current.from);
    return { from, to: current.from, buckets: [] };
  }
  const from = shiftBuckets(current.buckets[0]!.start, c.interval, -current.buckets.length, ctx.timezone);
  const buckets = bucketsOf(from, current.from, c.interval, ctx.timezone, c.segments);
  return { from, to: current.from, buckets };
}

interface TrendsPlan {
  c: CompiledTrends;
  periods: [Period, 'current' | 'previous' | null][];
  plans: SeriesPlan[];
}

/** The compiled query, its periods and series: what runTrends counts and the actors query lists (actors-trends.ts). */
export async function planTrends(ctx: QueryContext, query: TrendsQueryInput): Promise<TrendsPlan> {
  const display = query.trendsFilter?.display ?? 'ActionsLineGraph';
  const aggregate = (AGGREGATE_DISPLAYS as readonly string[]).includes(display);
  const interval: Interval = aggregate ? 'day' : (query.interval ?? 'day');
  const range = await resolveDateRange(query.dateRange, trendsRangeOptions(ctx, interval));
  const compare = query.compareFilter?.compare === true;
  const span = range.to - range.from;
  const compareTo = compare ? query.compareFilter?.compare_to : undefined;
  const earliest = compareTo ? Math.min(range.from, shiftBack(range.from, compareTo, ctx.timezone)) : range.from - span;
  const segments = offsetSegments((compare ? earliest : range.from) - 32 * DAY, range.to, ctx.timezone);
  const breakdown = breakdownPlan(query.breakdownFilter);
  const c: CompiledTrends = { query, interval, aggregate, segments, breakdown };
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
  return { c, periods, plans };
}

export async function runTrends(
  ctx: QueryContext,
  query: TrendsQueryInput,
): Promise<{ results: TrendsResult[]; hasMore: boolean }> {
  const { c, periods, plans } = await planTrends(ctx, query);
  checkTrendsQuery(query);
  const perPeriod: TrendsResult[][][] = [];
  for (const [period, compareLabel] of periods) {
    const perSeries: TrendsResult[][] = [];
    for (const plan of plans) {
      const rows = await seriesRows(ctx, c, plan, period);
      perSeries.push(seriesObjects(ctx, c, plan, period, rows, compareLabel));
    }
    perPeriod.push(perSeries);
  }
  return trendsAnswer(query, c.aggregate, perPeriod);
}

/** How a trends query's dateRange is read (also by the cost check, which must see the same range). */
export const trendsRangeOptions = (ctx: QueryContext, interval: Interval) => ({
  interval,
  timezone: ctx.timezone,
  now: ctx.now,
  defaultFrom: '-7d',
  earliest: () => earliestEvent(ctx.db, ctx.projectId),
  attr: 'query.dateRange',
});
