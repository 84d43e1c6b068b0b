/**
 * RetentionQuery: cohorts of persons by the period of their target event
 * (every period they did it — recurring — or the period of their first ever
 * one — first time), and how many of each cohort did the returning event in
 * each later period. Period 0 is the cohort itself, as PostHog's "Day 0".
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { propertiesSql } from './filters';
import type { Needs } from './types';
import type { RetentionQueryInput } from './schema';
import { groupTarget } from './groups';
import { PERSONS, earliestEvent, eventsFrom, regexResolver, run, scopeSql } from './source';
import { bucketKeySql, bucketStartOf, bucketsOf, offsetSegments, shiftBuckets, zonedIso, type Interval } from './time';

const PERIODS = { Day: 'day', Week: 'week', Month: 'month' } as const;
const DEFAULT_TOTAL_INTERVALS = 8;

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

const matchesEvent = (event: string | null): SQL => (event === null ? sql`1` : sql`e.event = ${event}`);

/**
 * The cohorts' periods and, per actor, the bit masks of the periods they did
 * the target (`s`) and the returning (`r`) event in: what runRetention counts
 * and the actors query lists (actors-retention.ts).
 */
export async function retentionPlan(ctx: QueryContext, query: RetentionQueryInput) {
  const rf = query.retentionFilter;
  const periodName = rf.period ?? 'Day';
  const interval: Interval = PERIODS[periodName];
  const total = rf.totalIntervals ?? DEFAULT_TOTAL_INTERVALS;
  // The last cohort is the period holding date_to; the first is total - 1 periods before.
  const { to } = await resolveDateRange(
    { date_from: query.dateRange?.date_to ?? undefined, date_to: query.dateRange?.date_to ?? undefined },
    {
      interval,
      timezone: ctx.timezone,
      now: ctx.now,
      defaultFrom: 'dStart',
      earliest: () => earliestEvent(ctx.db, ctx.projectId),
      attr: 'query.dateRange',
    },
  );
  const lastStart = bucketStartOf(to - 1, interval, ctx.timezone);
  const from = shiftBuckets(lastStart, interval, -(total - 1), ctx.timezone);
  const end = shiftBuckets(lastStart, interval, 1, ctx.timezone);
  const segments = offsetSegments(from, end, ctx.timezone);
  const buckets = bucketsOf(from, end, interval, ctx.timezone, segments).slice(0, total);
  const _index = new Map(buckets.map((b, i) => [b.key, i]));

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

  // Each person's periods as bit masks (sum of distinct powers of two = bitwise OR):
  // one pass over the range, one row per person, no join.
  const bit = (column: SQL) =>
    sql`(1 << ${periodIndexSql(
      bucketKeySql(column, interval, segments),
      buckets.map((b) => b.key),
    )})`;
  const inRange = sql`${eventsFrom(needs)} WHERE ${scopeSql(scope)} AND ${filters}`;
  let perPerson: SQL;
  if (rf.retentionType === 'retention_first_time') {
    // The first target event ever (any time), kept when it falls in the range.
    const firsts = sql`SELECT ${actor.actor} AS actor, min(e.timestamp) AS first FROM ${eventsFrom(needs)}
      WHERE ${scopeSql({ projectId: ctx.projectId, event: target })} AND ${filters} GROUP BY 1`;
    perPerson = sql`SELECT f.actor AS actor, ${bit(sql.raw('f.first'))} AS s, NULL AS r FROM (${firsts}) f
        WHERE f.first >= ${new Date(from).toISOString()} AND f.first < ${new Date(end).toISOString()}
      UNION ALL
      SELECT ${actor.actor} AS actor, NULL AS s, ${bit(sql.raw('e.timestamp'))} AS r FROM ${inRange}
        AND ${matchesEvent(returning)}`;
  } else {
    perPerson = sql`SELECT ${actor.actor} AS actor,
        CASE WHEN ${matchesEvent(target)} THEN ${bit(sql.raw('e.timestamp'))} END AS s,
        CASE WHEN ${matchesEvent(returning)} THEN ${bit(sql.raw('e.timestamp'))} END AS r
      FROM ${inRange}`;
  }
  const perActor = sql`SELECT actor, sum(DISTINCT s) AS s, sum(DISTINCT r) AS r FROM (${perPerson})
    WHERE actor IS NOT NULL GROUP BY actor`;
  return { buckets, periodName, total, perActor };
}

export async function runRetention(ctx: QueryContext, query: RetentionQueryInput): Promise<{ results: unknown[] }> {
  const { buckets, periodName, total, perActor } = await retentionPlan(ctx, query);
  const rows = await run<{ s: string; r: string | null; n: number }>(
    ctx.db,
    sql`SELECT CAST(s AS TEXT) AS s, CAST(r AS TEXT) AS r, count(*) AS n FROM (${perActor})
      WHERE s IS NOT NULL GROUP BY s, r`,
  );

  const counts = buckets.map((_, i) => new Array<number>(total - i).fill(0));
  const has = (mask: bigint, i: number) => ((mask >> BigInt(i)) & 1n) === 1n;
  for (const row of rows) {
    const s = BigInt(row.s);
    const r = BigInt(row.r ?? 0);
    for (let i = 0; i < buckets.length; i++) {
      if (!has(s, i)) continue;
      counts[i]![0]! += row.n;
      for (let j = i + 1; j < buckets.length; j++) if (has(r, j)) counts[i]![j - i]! += row.n;
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
