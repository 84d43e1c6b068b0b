/**
 * TrendsQuery: per series, a value per interval bucket (or one value for the
 * whole range with the aggregate displays), optionally broken down by an event
 * or person property, optionally beside the previous period. The SQL of a
 * series is in trends-series.ts, the result objects in trends-results.ts.
 */
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { BREAKDOWN_OTHER, DEFAULT_BREAKDOWN_LIMIT, sourceOf } from './filters';
import { AGGREGATE_DISPLAYS, type TrendsQueryInput } from './schema';
import { earliestEvent } from './source';
import { DAY, bucketsOf, offsetSegments, shiftBuckets, type Interval } from './time';
import { seriesObjects, type TrendsResult } from './trends-results';
import { seriesRows, type Compiled, type Period, type SeriesPlan } from './trends-series';

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
