/**
 * RetentionQuery: cohorts of persons by the period of their target event
 * (every period they did it — recurring — or the period of their first ever
 * one — first time), and how many of each cohort did the returning event in
 * each later period. Period 0 is the cohort itself, as PostHog's "Day 0".
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { resolveDateRange } from './date-range';
import { propertiesSql, type Needs } from './filters';
import type { RetentionQueryInput } from './schema';
import { PERSONS, earliestEvent, eventsFrom, regexResolver, run, scopeSql } from './source';
import { bucketKeySql, bucketStartOf, bucketsOf, offsetSegments, shiftBuckets, zonedIso, type Interval } from './time';

const PERIODS = { Day: 'day', Week: 'week', Month: 'month' } as const;
export const DEFAULT_TOTAL_INTERVALS = 8;

type Entity = NonNullable<RetentionQueryInput['retentionFilter']['targetEntity']>;

const eventOf = (entity: Entity | null | undefined): string | null => {
  if (!entity) return '$pageview';
  return entity.id === undefined || entity.id === null ? null : String(entity.id);
};

const matchesEvent = (event: string | null): SQL => (event === null ? sql`1` : sql`e.event = ${event}`);

export async function runRetention(ctx: QueryContext, query: RetentionQueryInput): Promise<{ results: unknown[] }> {
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
  const index = new Map(buckets.map((b, i) => [b.key, i]));

  const target = eventOf(rf.targetEntity);
  const returning = eventOf(rf.returningEntity);
  const needs: Needs = { person: false };
  const events = target === null || returning === null ? undefined : [...new Set([target, returning])];
  const scope = { projectId: ctx.projectId, from, to: end, events };
  const filters = await propertiesSql(query.properties, 'query.properties', needs, regexResolver(ctx.db, scope));
  const actor = PERSONS;
  actor.require(needs);
  const key = bucketKeySql(sql.raw('e.timestamp'), interval, segments);

  const returns = sql`SELECT DISTINCT ${actor.actor} AS actor, ${key} AS k FROM ${eventsFrom(needs)}
    WHERE ${scopeSql(scope)} AND ${filters} AND ${matchesEvent(returning)}`;
  let starts: SQL;
  if (rf.retentionType === 'retention_first_time') {
    // The first target event ever (any time), kept when it falls in the range.
    const firsts = sql`SELECT ${actor.actor} AS actor, min(e.timestamp) AS first FROM ${eventsFrom(needs)}
      WHERE ${scopeSql({ projectId: ctx.projectId, event: target })} AND ${filters} GROUP BY 1`;
    starts = sql`SELECT f.actor AS actor, ${bucketKeySql(sql.raw('f.first'), interval, segments)} AS k
      FROM (${firsts}) f WHERE f.first >= ${new Date(from).toISOString()} AND f.first < ${new Date(end).toISOString()}`;
  } else {
    starts = sql`SELECT DISTINCT ${actor.actor} AS actor, ${key} AS k FROM ${eventsFrom(needs)}
      WHERE ${scopeSql({ ...scope, events: undefined, event: target })} AND ${filters}`;
  }
  const rows = await run<{ start: string; ret: string; n: number }>(
    ctx.db,
    sql`WITH starts AS (${starts}), returns AS (${returns})
      SELECT s.k AS start, s.k AS ret, count(*) AS n FROM starts s GROUP BY s.k
      UNION ALL
      SELECT s.k AS start, r.k AS ret, count(*) AS n FROM starts s JOIN returns r ON r.actor = s.actor AND r.k > s.k GROUP BY s.k, r.k`,
  );

  const counts = buckets.map((_, i) => new Array<number>(total - i).fill(0));
  for (const r of rows) {
    const i = index.get(r.start);
    const j = index.get(r.ret);
    if (i === undefined || j === undefined || j < i) continue;
    counts[i]![j - i] = r.n;
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
