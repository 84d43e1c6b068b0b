/**
 * The actors behind one trends number: a series (`series`), a bucket (`day`),
 * a breakdown value (`breakdown`) and a period (`compare`). The events are
 * selected by the very SQL that counts the number (trends-series.ts
 * `seriesParts`), narrowed to the bucket and value, and grouped by actor, so
 * the set is the one the number counted (PostHog's trends_actors_query_builder).
 */
import { sql, type SQL } from 'drizzle-orm';
import { type ActorsSource, checkActorCount, refuseFields, type SourceActor } from './actors-source';
import type { QueryContext } from './context';
import { parsePoint } from './date-range';
import { QueryError } from './errors';
import { isOtherValue, trendsBreakdownKey, trendsOtherKey } from './breakdowns';
import type { TrendsQueryInput } from './schema';
import { groupTarget } from './groups';
import { eventSlices } from './event-slices';
import { PERSONS, run } from './source';
import { bucketKeySql, localOf, ymd, type Bucket } from './time';
import { planTrends } from './trends';
import { type Period, seriesParts, seriesRows } from './trends-series';

interface TrendsActorsInput {
  source: TrendsQueryInput;
  day?: string | number | null;
  series?: number | null;
  breakdown?: string | number | (string | number)[] | null;
  compare?: 'current' | 'previous' | null;
  interval?: number | null;
}

/** The bucket of the period that holds `day` (a `days` entry, a date or a datetime in the project's zone). */
function bucketOf(ctx: QueryContext, period: Period, day: string | number): Bucket {
  const attr = 'query.source.day';
  const instant =
    typeof day === 'number' ? day * (day < 1e11 ? 1000 : 1) : parsePoint(day, attr, ctx.timezone, ctx.now).instant;
  const { buckets } = period;
  for (let i = buckets.length - 1; i >= 0; i--) {
    if (buckets[i]!.start <= instant) {
      if (i === buckets.length - 1 && instant >= period.to) break;
      return buckets[i]!;
    }
  }
  throw QueryError.badField(attr, `${attr}: ${JSON.stringify(day)} is not within the query's date range.`);
}

export async function trendsActors(ctx: QueryContext, input: TrendsActorsInput): Promise<ActorsSource> {
  refuseFields(input, ['interval'], 'a retention field; a trends number is chosen by day, series and breakdown.');
  const { c, periods, plans } = await planTrends(ctx, input.source);
  const index = input.series ?? 0;
  const plan = plans[index];
  if (!plan)
    throw QueryError.badField('query.source.series', `query.source.series: the query has ${plans.length} series.`);
  const compare = input.compare ?? 'current';
  const found = periods.find(([, label]) => (label ?? 'current') === compare);
  if (!found)
    throw QueryError.badField(
      'query.source.compare',
      'query.source.compare: "previous" needs compareFilter.compare in the source query.',
    );
  const period = found[0];
  const parts = await seriesParts(ctx, c, plan, period);
  const groupTypeIndex = groupIndexOf(input.source, index);
  const target = groupTypeIndex === null ? PERSONS : groupTarget(groupTypeIndex);
  target.require(parts.needs);
  const conditions: SQL[] = [];

  const hasDay = input.day !== undefined && input.day !== null;
  if (hasDay && c.aggregate)
    throw QueryError.badField(
      'query.source.day',
      'query.source.day: this display aggregates the whole date range into one number; leave day out.',
    );
  const bucket = hasDay ? bucketOf(ctx, period, input.day!) : null;
  if (parts.window) {
    // Active users: the actors of the window of days that ends with the bucket (or of the whole range).
    const day = bucketKeySql(sql.raw('e.timestamp'), 'day', c.segments);
    const span = `-${parts.window - 1} days`;
    if (bucket) conditions.push(sql`${day} >= date(${bucket.key}, ${span}) AND ${day} <= ${bucket.key}`);
    else if (c.aggregate) conditions.push(sql`${day} >= date(${ymd(localOf(period.from, ctx.timezone))}, ${span})`);
    else {
      const keys = period.buckets.map((b) => b.key);
      conditions.push(sql`${day} >= date(${keys[0]}, ${span}) AND ${day} <= ${keys[keys.length - 1]}`);
    }
  } else if (bucket) {
    conditions.push(sql`${parts.bucket} = ${bucket.key}`);
  }

  if (input.breakdown !== undefined && input.breakdown !== null) {
    if (!c.breakdown)
      throw QueryError.badField('query.source.breakdown', 'query.source.breakdown: the source query has no breakdown.');
    const value = trendsBreakdownKey(c.breakdown, input.breakdown);
    const otherKey = trendsOtherKey(c.breakdown);
    if (value === otherKey || isOtherValue(input.breakdown)) {
      // "Other" is every value the answer did not show on its own: read those from the answer's own rows.
      const shown = [...new Set((await seriesRows(ctx, c, plan, period)).map((r) => r.bv))];
      const kept = shown.filter((v) => v !== otherKey);
      conditions.push(sql`${parts.bv} NOT IN (SELECT value FROM json_each(${JSON.stringify(kept)}))`);
    } else {
      conditions.push(sql`${parts.bv} = ${value}`);
    }
  }

  const distinctIds = groupTypeIndex === null ? sql`json_group_array(DISTINCT e.distinct_id)` : sql`'[]'`;
  const extra = conditions.length ? sql`AND ${sql.join(conditions, sql` AND `)}` : sql``;
  const byActor = new Map<string, SourceActor & { ids: Set<string> }>();
  for await (const slice of eventSlices(ctx.db, parts.scope, parts.needs)) {
    const rows = await run<{ actor: string; event_count: number; ids: string; last_seen: string }>(
      ctx.db,
      sql`SELECT ${target.actor} AS actor, count(*) AS event_count, ${distinctIds} AS ids,
          max(e.timestamp) AS last_seen
        FROM ${parts.from()} WHERE ${parts.where(slice)} ${extra}
        GROUP BY 1 HAVING actor IS NOT NULL`,
    );
    for (const r of rows) {
      const actor = String(r.actor);
      let seen = byActor.get(actor);
      if (!seen) byActor.set(actor, (seen = { actor, event_count: 0, ids: new Set(), last_seen: r.last_seen }));
      seen.event_count = (seen.event_count ?? 0) + Number(r.event_count);
      for (const id of JSON.parse(r.ids) as string[]) seen.ids.add(id);
      if (r.last_seen > seen.last_seen!) seen.last_seen = r.last_seen;
    }
    checkActorCount(byActor.size);
  }
  const actors: SourceActor[] = [...byActor.values()].map(({ ids, ...a }) => ({ ...a, event_distinct_ids: [...ids] }));
  return { actors, groupTypeIndex, columns: ['event_count', 'event_distinct_ids', 'last_seen'] };
}

/** Which group type a series counts (unique_group, or the query's aggregation group type), else null: persons. */
function groupIndexOf(query: TrendsQueryInput, series: number): number | null {
  const s = query.series[series]!;
  if (s.math === 'unique_group') return s.math_group_type_index ?? null;
  return query.aggregation_group_type_index ?? null;
}
