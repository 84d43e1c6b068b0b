/**
 * FunnelsQuery. SQLite reads each person's matching events in time order as
 * one compact JSON array (which steps each event matches, its time, its
 * breakdown value); the Worker walks each person's array, as PostHog's funnel
 * UDF walks its per-person arrays:
 *
 * - ordered and strict: as PostHog's UDF (funnel-walk.ts): a conversion is
 *   timed from the latest step-1 event before it, within the window of it;
 * - unordered: from each event of any step, the distinct steps done within the window.
 *
 * An actor counts once per breakdown value it is walked with (one, except
 * with all_events or step attribution: funnel-attribution.ts), with its
 * furthest step; exclusions (funnel-exclusions.ts) void attempts. Conversion
 * times are between consecutive steps of that chain; as PostHog's, times of 0
 * are left out of the average and median.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { BREAKDOWN_OTHER, propertiesSql } from './filters';
import type { Needs } from './types';
import type { FunnelsQueryInput } from './schema';
import { regexResolver } from './regex-values';
import { sliceFrom, sliceWhere } from './event-slices';
import { type IndexScope, type Slice, indexScopesOf } from './slices';
import { type EventScope, PERSONS, earliestEvent } from './source';
import { groupTarget } from './groups';
import { type WalkEvent, walkFunnel } from './funnel-walk';
import { actorEvents } from './funnel-rows';
import { budgetOf } from './budget';
import { unorderedWalk } from './funnel-unordered';
import { breakdownPlan, funnelBreakdownSql } from './breakdowns';
import { attributedValues, attributionOf } from './funnel-attribution';
import { checkedExclusions, exclusionEvents, exclusionMaskSql } from './funnel-exclusions';

const WINDOW_SECONDS = { second: 1, minute: 60, hour: 3_600, day: 86_400, week: 604_800, month: 2_592_000 } as const;
/** Exclusion bits ride above the 20 step bits of the mask column (decoded before the walk). */
const EXCLUSION_SHIFT = 2 ** 20;

interface Attempt {
  steps: number;
  /** Epoch ms of each completed step. */
  times: number[];
  /** The breakdown value walked, as a JSON list ('' without a breakdown). */
  breakdown: string;
}

/** An actor's best attempt (person id or group key), one per breakdown value it is walked with. */
type ActorAttempt = Attempt & { actor: string };

/** ClickHouse's interpolated median, as PostHog's median_conversion_time. */
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const idx = 0.5 * (s.length - 1);
  const lo = Math.floor(idx);
  const frac = idx - lo;
  return s[lo]! * (1 - frac) + (s[lo + 1] ?? s[lo]!) * frac;
}

/** Each actor's best attempts, and the breakdown: what runFunnels counts and the actors query lists (actors-funnels.ts). */
export async function funnelAttempts(ctx: QueryContext, query: FunnelsQueryInput) {
  const ff = query.funnelsFilter ?? {};
  const order = ff.funnelOrderType ?? 'ordered';
  const windowMs = (ff.funnelWindowInterval ?? 14) * WINDOW_SECONDS[ff.funnelWindowIntervalUnit ?? 'day'] * 1000;
  const exclusions = checkedExclusions(query);
  const breakdown = breakdownPlan(query.breakdownFilter);
  const attribution = breakdown ? attributionOf(query) : null;
  const range = await resolveDateRange(query.dateRange, {
    interval: 'day',
    timezone: ctx.timezone,
    now: ctx.now,
    defaultFrom: '-7d',
    earliest: () => earliestEvent(ctx.db, ctx.projectId),
    attr: 'query.dateRange',
  });
  const steps = query.series;
  const needs: Needs = { person: false };
  const names = [...steps.map((s) => s.event ?? null), ...exclusionEvents(exclusions)];
  // Strict funnels see every event of the person: any event between two steps breaks the sequence.
  const events = order === 'strict' || names.includes(null) ? undefined : [...new Set(names as string[])];
  const scope: EventScope = { projectId: ctx.projectId, from: range.from, to: range.to, events };
  const regex = regexResolver(ctx.db, scope);
  const stepMasks: SQL[] = [];
  for (const [i, step] of steps.entries()) {
    const matchesName = step.event === undefined || step.event === null ? sql`1` : sql`e.event = ${step.event}`;
    const matchesProps = await propertiesSql(step.properties, `query.series.${i}.properties`, needs, regex);
    stepMasks.push(sql`(CASE WHEN ${matchesName} AND ${matchesProps} THEN ${1 << i} ELSE 0 END)`);
  }
  const excluded = await exclusionMaskSql(exclusions, steps.length, needs, regex);
  const mask = sql`(${sql.join(stepMasks, sql` + `)} + ${excluded} * ${EXCLUSION_SHIFT})`;
  const bv: SQL = breakdown ? funnelBreakdownSql(breakdown, needs) : sql`''`;
  const filters = await propertiesSql(query.properties, 'query.properties', needs, regex);
  // With aggregation_group_type_index, each group is one "actor" and events without that group are left out.
  const groupIndex = query.aggregation_group_type_index;
  const target = groupIndex === undefined || groupIndex === null ? PERSONS : groupTarget(groupIndex);
  target.require(needs);
  const matching = (range: IndexScope, slice: Slice) => sql`SELECT ${target.actor} AS actor, ${mask} AS mask,
      e.timestamp AS ts, ${bv} AS bv
    FROM ${sliceFrom(needs, range)} WHERE ${sliceWhere(needs, range, slice)} AND ${filters}`;
  const attempts: ActorAttempt[] = [];
  const budget = budgetOf(ctx.db);
  const ranges = indexScopesOf(scope);
  for await (const { actor, events: rows } of actorEvents(ctx.db, ranges, matching, {
    strict: order === 'strict',
    needs,
  })) {
    const events: WalkEvent[] = rows.map(([m, t, b]) => [m % EXCLUSION_SHIFT, t, b, Math.floor(m / EXCLUSION_SHIFT)]);
    for (const value of attribution ? attributedValues(events, attribution) : ['']) {
      let attempt: { steps: number; times: number[] } | null;
      if (order === 'unordered') {
        attempt = unorderedWalk(rows, steps.length, windowMs);
      } else {
        const walked = attribution?.type === 'all_events' ? events.filter((e) => e[2] === value) : events;
        attempt = walkFunnel(walked, steps.length, windowMs, {
          strict: order === 'strict',
          ...(attribution?.type === 'step' ? { attributedStep: attribution.step + 1, propVal: value } : {}),
        });
      }
      if (attempt) attempts.push({ steps: attempt.steps, times: attempt.times, breakdown: value, actor });
    }
    // all_events / step attribution walk an actor once per value (at most MAX_ATTRIBUTED_VALUES): keep the deadline.
    if (attribution?.type === 'all_events' || attribution?.type === 'step') budget?.checkDeadline();
  }
  return { attempts, breakdown, order };
}

/** A breakdown value as PostHog's actors query passes it (`funnelStepBreakdown`), as the attempts' key. */
export function funnelBreakdownKey(value: string | number | (string | number)[]): string {
  return JSON.stringify((Array.isArray(value) ? value : [value]).map(String));
}

/** The attempts grouped by breakdown value as the answer shows them: the `limit` largest, the rest as "other". */
export function breakdownGroups(attempts: ActorAttempt[], limit: number): [string, ActorAttempt[]][] {
  const byValue = new Map<string, ActorAttempt[]>();
  for (const a of attempts) {
    const group = byValue.get(a.breakdown);
    if (group) group.push(a);
    else byValue.set(a.breakdown, [a]);
  }
  const ranked = [...byValue].sort(([va, a], [vb, b]) => b.length - a.length || (va < vb ? -1 : va > vb ? 1 : 0));
  const kept = ranked.slice(0, limit);
  const rest = ranked.slice(limit).flatMap(([, a]) => a);
  if (rest.length) kept.push([JSON.stringify([BREAKDOWN_OTHER]), rest]);
  return kept;
}

export async function runFunnels(ctx: QueryContext, query: FunnelsQueryInput): Promise<{ results: unknown[] }> {
  const { attempts, breakdown, order } = await funnelAttempts(ctx, query);
  const steps = query.series;

  const stepsOf = (group: Attempt[], breakdownValue: string[] | null) =>
    steps.map((step, i) => {
      const reached = group.filter((a) => a.steps > i);
      // PostHog's groupArrayIf(timings[i], timings[i] > 0): a step taken at the same instant is not timed.
      const durations = i === 0 ? [] : reached.map((a) => (a.times[i]! - a.times[i - 1]!) / 1000).filter((d) => d > 0);
      return {
        action_id: order === 'unordered' ? null : (step.event ?? null),
        name: order === 'unordered' ? `Completed ${i + 1} step${i === 0 ? '' : 's'}` : (step.event ?? 'All events'),
        custom_name: order === 'unordered' ? null : (step.custom_name ?? null),
        order: i,
        people: [],
        count: reached.length,
        type: 'events',
        average_conversion_time: durations.length ? durations.reduce((x, y) => x + y, 0) / durations.length : null,
        median_conversion_time: durations.length ? median(durations) : null,
        ...(breakdownValue === null ? {} : { breakdown: breakdownValue, breakdown_value: breakdownValue }),
      };
    });

  if (!breakdown) return { results: stepsOf(attempts, null) };
  return {
    results: breakdownGroups(attempts, breakdown.limit).map(([key, group]) => stepsOf(group, JSON.parse(key))),
  };
}
