/**
 * RetentionQuery: cohorts of persons by the period of their target event
 * (every period they did it — recurring — or the period of their first ever
 * one — first time), and how many of each cohort did the returning event in
 * each later period. Period 0 is the cohort itself, as PostHog's "Day 0".
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { QueryError } from './errors';
import { propertiesSql } from './filters';
import type { Needs } from './types';
import type { RetentionQueryInput } from './schema';
import { groupTarget } from './groups';
import { regexResolver } from './regex-values';
import { type MaskReads, actorMasks } from './retention-masks';
import { PERSONS, earliestEvent } from './source';
import { bucketKeySql, bucketStartOf, bucketsOf, offsetSegments, shiftBuckets, zonedIso, type Interval } from './time';

const PERIODS = { Day: 'day', Week: 'week', Month: 'month' } as const;
const DEFAULT_TOTAL_INTERVALS = 8;
/** Cohorts a `date_from` range may hold (each actor's periods are one 64-bit mask). */
const MAX_RETENTION_COHORTS = 60;

type Entity = NonNullable<RetentionQueryInput['retentionFilter']['targetEntity']>;

const eventOf = (entity: Entity | null | undefined): string | null => {
  if (!entity) return '$pageview';
  return entity.id === undefined || entity.id === null ? null : String(entity.id);
};

/** The index of a period key among the cohorts' keys (sorted ISO dates; our own text, inlined). */
function periodIndexSql(key: SQL, keys: string[]): SQL {
  if (keys.length === 1) return sql`0`;
  const whens = keys.slice(1).map((k, i) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(k)) throw new Error(`not a period key: ${k}`);
    return sql.raw(`WHEN k < '${k}' THEN ${i}`);
  });
  return sql`(SELECT CASE ${sql.join(whens, sql` `)} ELSE ${sql.raw(String(keys.length - 1))} END
    FROM (SELECT ${key} AS k))`;
}

/**
 * The cohorts' periods and, per actor, the bit masks of the periods they did
 * the target (`s`) and the returning (`r`) event in (retention-masks.ts): what
 * runRetention counts and the actors query lists (actors-retention.ts).
 */
export async function retentionPlan(ctx: QueryContext, query: RetentionQueryInput) {
  const rf = query.retentionFilter;
  const periodName = rf.period ?? 'Day';
  const interval: Interval = PERIODS[periodName];
  const total = rf.totalIntervals ?? DEFAULT_TOTAL_INTERVALS;
  const { from, end, byDateFrom } = await cohortRange(ctx, query, interval, total);
  const segments = offsetSegments(from, end, ctx.timezone);
  const buckets = bucketsOf(from, end, interval, ctx.timezone, segments);
  if (byDateFrom && buckets.length > MAX_RETENTION_COHORTS) {
    throw QueryError.badField(
      'query.dateRange.date_from',
      `query.dateRange.date_from: the range holds ${buckets.length} ${periodName.toLowerCase()}s; at most ` +
        `${MAX_RETENTION_COHORTS} cohorts are computed. Use a later date_from or a longer period.`,
    );
  }

  const target = eventOf(rf.targetEntity);
  const returning = eventOf(rf.returningEntity);
  const needs: Needs = { person: false };
  const events = target === null || returning === null ? undefined : [...new Set([target, returning])];
  const scope = { projectId: ctx.projectId, from, to: end, events };
  const filters = await propertiesSql(query.properties, 'query.properties', needs, regexResolver(ctx.db, scope));
  // With aggregation_group_type_index the cohorts are groups; events without that group are left out.
  const groupIndex = query.aggregation_group_type_index;
  const actor = groupIndex === undefined || groupIndex === null ? PERSONS : groupTarget(groupIndex);
  actor.require(needs);

  const bit = (column: SQL) =>
    sql`(1 << ${periodIndexSql(
      bucketKeySql(column, interval, segments),
      buckets.map((b) => b.key),
    )})`;
  const reads: MaskReads = { needs, actor: actor.actor, filters, bit, target, returning, from, end };
  const masks = () => actorMasks(ctx, reads, rf.retentionType === 'retention_first_time');
  // PostHog's rows: `total` values each with date_from; before it (cohorts from date_to back), up to the last cohort.
  const rowLength = (i: number) => (byDateFrom ? total : total - i);
  return { buckets, periodName, total, rowLength, masks };
}

/**
 * The cohorts' span, as PostHog's QueryDateRangeWithIntervals: from the period
 * holding `date_from` when given, else `total` periods back from the one
 * holding `date_to`; to the end of the period holding `date_to` (default now).
 */
async function cohortRange(ctx: QueryContext, query: RetentionQueryInput, interval: Interval, total: number) {
  const dateFrom = query.dateRange?.date_from ?? undefined;
  const dateTo = query.dateRange?.date_to ?? undefined;
  const range = await resolveDateRange(
    { date_from: dateFrom ?? dateTo, date_to: dateTo, explicitDate: query.dateRange?.explicitDate },
    {
      interval,
      timezone: ctx.timezone,
      now: ctx.now,
      defaultFrom: 'dStart',
      earliest: () => earliestEvent(ctx.db, ctx.projectId),
      attr: 'query.dateRange',
    },
  );
  const lastStart = bucketStartOf(range.to - 1, interval, ctx.timezone);
  const end = shiftBuckets(lastStart, interval, 1, ctx.timezone);
  if (dateFrom) return { from: bucketStartOf(range.from, interval, ctx.timezone), end, byDateFrom: true };
  return { from: shiftBuckets(lastStart, interval, -(total - 1), ctx.timezone), end, byDateFrom: false };
}

export async function runRetention(ctx: QueryContext, query: RetentionQueryInput): Promise<{ results: unknown[] }> {
  const { buckets, periodName, rowLength, masks } = await retentionPlan(ctx, query);
  // Actors per distinct (s, r): each combination is counted into the cohorts once.
  const combos = new Map<string, { s: bigint; r: bigint; n: number }>();
  for (const { s, r } of (await masks()).values()) {
    if (s === null || s === 0n) continue;
    const key = `${s}:${r}`;
    const seen = combos.get(key);
    if (seen) seen.n++;
    else combos.set(key, { s, r, n: 1 });
  }

  const counts = buckets.map((_, i) => new Array<number>(rowLength(i)).fill(0));
  const has = (mask: bigint, i: number) => ((mask >> BigInt(i)) & 1n) === 1n;
  for (const row of combos.values()) {
    for (let i = 0; i < buckets.length; i++) {
      if (!has(row.s, i)) continue;
      counts[i]![0]! += row.n;
      const last = Math.min(buckets.length, i + rowLength(i));
      for (let j = i + 1; j < last; j++) if (has(row.r, j)) counts[i]![j - i]! += row.n;
    }
  }
  return {
    results: buckets.map((b, i) => ({
      date: zonedIso(b.start, ctx.timezone),
      label: `${periodName} ${i}`,
      values: counts[i]!.map((count, j) => ({ count, label: `${periodName} ${j}` })),
      people: [],
    })),
  };
}
