/**
 * Every query reads events in slices of at most `statementRows` rows, one short
 * statement each (src/query/slices.ts). Here the slices of a scope are checked
 * directly (each within the bound, together every row exactly once, piles of
 * one key cut by rowid, whole slices holding whole buckets), and every kind's
 * answer read through tiny slices equals its answer read in one slice.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUERY_BUDGET, QueryBudget } from '../../src/query/budget';
import { checkCost } from '../../src/query/cost';
import { runQuery } from '../../src/query/run';
import { AnyQuery } from '../../src/query/schema';
import { slicesOf } from '../../src/query/slice-walk';
import { type IndexScope, sliceSql } from '../../src/query/slices';
import { dbFor, newProject } from '../support';
import { generateWorld, seedWorld, type World } from './world';

const START = Date.UTC(2024, 2, 1);
const TIMEZONE = 'America/New_York';
const DAY = 86_400_000;
/** A New York midnight (EST): a day bucket's first instant. */
const MIDNIGHT = Date.UTC(2024, 2, 5, 5);
const PILE = 24;

let projectId: number;
let world: World;
let pileDistinctId: string;

/** `count` copies of one event (one key of the index: same time, name, distinct id, person), ids differing. */
async function seedPile(at: number, event: string, distinctId: string, personId: string, count: number) {
  const db = await dbFor(projectId);
  await db.run(sql`WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count - 1})
    INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp)
    SELECT ${projectId}, lower(hex(randomblob(16))), ${event}, ${distinctId}, ${personId},
      json_object('$browser', CASE WHEN n % 2 = 0 THEN 'Chrome' ELSE 'Pile' END, 'amount', n),
      ${new Date(at).toISOString()} FROM seq`);
}

beforeAll(async () => {
  projectId = (await newProject('sliced queries')).id;
  world = generateWorld({ seed: 30, users: 24, start: START, days: 30, eventsPerUser: 6 });
  await seedWorld(projectId, world);
  const someone = world.events.find((e) => e.event === '$pageview')!;
  pileDistinctId = someone.distinctId;
  // One pile on a bucket's first instant, one inside a day, one of another name at the same instant.
  await seedPile(MIDNIGHT, '$pageview', someone.distinctId, someone.personIdAtIngest, PILE);
  await seedPile(MIDNIGHT + 7 * 3_600_000, '$pageview', someone.distinctId, someone.personIdAtIngest, PILE);
  await seedPile(MIDNIGHT, 'signup', someone.distinctId, someone.personIdAtIngest, PILE / 2);
}, 60_000);

describe('slices of a scope', () => {
  const scopes: [string, IndexScope][] = [
    ['all events', { projectId: 0, from: START, to: START + 30 * DAY }],
    ['one event', { projectId: 0, from: START, to: START + 30 * DAY, event: '$pageview' }],
    ['no bounds', { projectId: 0 }],
  ];
  for (const [name, base] of scopes) {
    for (const rows of name === 'all events' ? [5, 40] : [5]) {
      it(`${name}, at most ${rows} rows each: every row once, piles cut by rowid, whole slices hold whole days`, async () => {
        const db = await dbFor(projectId);
        const scope = { ...base, projectId };
        const cuts = Array.from({ length: 31 }, (_, d) => MIDNIGHT + (d - 4) * DAY);
        const all = await db.all<{ id: number; ts: string }>(
          sql`SELECT e.rowid AS id, e.timestamp AS ts FROM events e WHERE e.project_id = ${projectId}
            ${scope.event ? sql`AND e.event = ${scope.event}` : sql``}
            ${scope.from === undefined ? sql`` : sql`AND e.timestamp >= ${new Date(scope.from).toISOString()}`}
            ${scope.to === undefined ? sql`` : sql`AND e.timestamp < ${new Date(scope.to).toISOString()}`}`,
        );
        const seen = new Map<number, number>();
        const dayOf = (ts: string) => Math.floor((Date.parse(ts) - MIDNIGHT) / DAY);
        const wholeDays = new Set<number>();
        const partDays = new Set<number>();
        let piles = 0;
        let slices = 0;
        for await (const slice of slicesOf(db, scope, { rows, cuts })) {
          slices++;
          if (slice.kind === 'pile') piles++;
          const inSlice = await db.all<{ id: number; ts: string }>(
            sql`SELECT e.rowid AS id, e.timestamp AS ts FROM events e WHERE ${sliceSql(scope, slice)}`,
          );
          expect(inSlice.length).toBeLessThanOrEqual(rows);
          for (const r of inSlice) {
            seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
            (slice.whole ? wholeDays : partDays).add(dayOf(r.ts));
          }
        }
        expect(seen.size).toBe(all.length);
        expect([...seen.values()].every((n) => n === 1)).toBe(true);
        expect(new Set(all.map((r) => r.id))).toEqual(new Set(seen.keys()));
        // A day read whole by one slice is read by no other slice.
        for (const d of wholeDays) expect(partDays.has(d), `day ${d}`).toBe(false);
        expect(slices).toBeGreaterThanOrEqual(Math.ceil(all.length / rows));
        if (rows < PILE / 2) expect(piles).toBeGreaterThan(0);
      });
    }
  }
});

describe('the cost estimate', () => {
  it('counts a scope exactly when marks are one row apart, in statements of at most countedRows entries', async () => {
    const db = await dbFor(projectId);
    const now = Date.UTC(2024, 3, 1);
    const [row] = await db.all<{ n: number }>(
      sql`SELECT count(*) AS n FROM events WHERE project_id = ${projectId} AND timestamp < ${new Date(now).toISOString()}`,
    );
    const n = row!.n;
    const q = AnyQuery.parse({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode' }],
      dateRange: { date_from: 'all' },
    });
    const ctx = { db, projectId, timezone: TIMEZONE, now };
    // A mark every row (statementRows / 8 = 1), 11 to a statement: many statements, piles counted by rowid.
    const budget = (scannedRows: number) =>
      new QueryBudget({ ...QUERY_BUDGET, scannedRows, statementRows: 8, countedRows: 11 });
    await expect(checkCost(ctx, q, budget(n))).resolves.toBeUndefined();
    await expect(checkCost(ctx, q, budget(n - 1))).rejects.toMatchObject({ code: 'query_too_expensive' });
  });
});

/** Numbers equal up to float summation order; everything else exactly. */
function expectSameAnswer(actual: unknown, expected: unknown, path = 'answer'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    for (const [i, v] of expected.entries()) expectSameAnswer((actual as unknown[])[i], v, `${path}[${i}]`);
    return;
  }
  if (expected && typeof expected === 'object') {
    const keys = Object.keys(expected).filter((k) => k !== 'timings');
    expect(
      Object.keys(actual as object)
        .filter((k) => k !== 'timings')
        .sort(),
      path,
    ).toEqual(keys.sort());
    for (const k of keys)
      expectSameAnswer(
        (actual as Record<string, unknown>)[k],
        (expected as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
    return;
  }
  expect(actual, path).toEqual(expected);
}

const range = { date_from: '2024-03-01', date_to: '2024-03-30' };
const trends = (series: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  kind: 'TrendsQuery',
  series: [{ kind: 'EventsNode', event: '$pageview', ...series }],
  dateRange: range,
  ...extra,
});
const steps = ['$pageview', 'signup', 'purchase'].map((event) => ({ kind: 'EventsNode', event }));
const funnel = (extra: Record<string, unknown> = {}) => ({
  kind: 'FunnelsQuery',
  series: steps,
  dateRange: range,
  ...extra,
});
const retention = (extra: Record<string, unknown> = {}) => ({
  kind: 'RetentionQuery',
  dateRange: { date_to: '2024-03-28' },
  retentionFilter: {
    period: 'Week',
    totalIntervals: 4,
    targetEntity: { id: 'signup', type: 'events' },
    returningEntity: { id: null, type: 'events' },
    ...extra,
  },
});
const browser = { breakdown: '$browser', breakdown_limit: 2 };

const QUERIES: [string, unknown][] = [
  ['total of all events per day', trends({ event: null })],
  ['dau per day by browser, limit 2 (other)', trends({ math: 'dau' }, { breakdownFilter: browser })],
  [
    'hourly dau across DST',
    trends({ math: 'dau' }, { interval: 'hour', dateRange: { date_from: '2024-03-04', date_to: '2024-03-11' } }),
  ],
  ['weekly active users per day', trends({ event: null, math: 'weekly_active' })],
  ['monthly active users per week', trends({ math: 'monthly_active' }, { interval: 'week' })],
  ['bold number dau', trends({ math: 'dau' }, { trendsFilter: { display: 'BoldNumber' } })],
  [
    'bold number weekly active by browser',
    trends({ math: 'weekly_active' }, { trendsFilter: { display: 'BoldNumber' }, breakdownFilter: browser }),
  ],
  ['sum of amount per week', trends({ event: null, math: 'sum', math_property: 'amount' }, { interval: 'week' })],
  ['avg of amount per day', trends({ event: null, math: 'avg', math_property: 'amount' })],
  [
    'min and max of amount',
    trends({ math: 'min', math_property: 'amount' }, { trendsFilter: { display: 'ActionsTable' } }),
  ],
  ['max of amount per day', trends({ math: 'max', math_property: 'amount' })],
  [
    'median of amount per week by browser',
    trends({ event: null, math: 'median', math_property: 'amount' }, { interval: 'week', breakdownFilter: browser }),
  ],
  [
    'p90 of amount, bold number',
    trends({ math: 'p90', math_property: 'amount' }, { trendsFilter: { display: 'BoldNumber' } }),
  ],
  ['unique sessions per day', trends({ event: null, math: 'unique_session' })],
  [
    'compare with the previous period',
    trends({}, { compareFilter: { compare: true }, dateRange: { date_from: '2024-03-15', date_to: '2024-03-29' } }),
  ],
  [
    'person filter, breakdown by person plan',
    trends(
      { event: null, math: 'dau' },
      {
        properties: [{ key: 'plan', value: 'free', operator: 'is_not', type: 'person' }],
        breakdownFilter: { breakdown: 'plan', breakdown_type: 'person' },
      },
    ),
  ],
  [
    'regex filter',
    trends({}, { properties: [{ key: '$browser', value: '^(Chrome|Pile)$', operator: 'regex', type: 'event' }] }),
  ],
  [
    'multiple breakdowns',
    trends(
      { math: 'dau' },
      {
        breakdownFilter: {
          breakdowns: [{ property: '$browser' }, { property: 'plan', type: 'person' }],
          breakdown_limit: 3,
        },
      },
    ),
  ],
  ['funnel by browser', funnel({ breakdownFilter: { breakdown: '$browser' } })],
  ['strict funnel', funnel({ funnelsFilter: { funnelOrderType: 'strict' } })],
  ['unordered funnel', funnel({ funnelsFilter: { funnelOrderType: 'unordered' } })],
  [
    'funnel with an exclusion',
    funnel({
      funnelsFilter: {
        exclusions: [{ kind: 'EventsNode', event: '$autocapture', funnelFromStep: 0, funnelToStep: 1 }],
      },
    }),
  ],
  ['funnel with an "all events" step', { ...funnel(), series: [{ kind: 'EventsNode', event: null }, steps[1]] }],
  ['retention, recurring', retention()],
  [
    'retention, first time, daily',
    retention({ period: 'Day', totalIntervals: 7, retentionType: 'retention_first_time' }),
  ],
  [
    'actors of a dau bucket',
    { kind: 'ActorsQuery', source: { kind: 'InsightActorsQuery', source: trends({ math: 'dau' }), day: '2024-03-05' } },
  ],
  [
    'actors of a retention cohort',
    { kind: 'ActorsQuery', source: { kind: 'InsightActorsQuery', source: retention(), interval: 1 } },
  ],
  [
    'actors of a funnel step',
    { kind: 'ActorsQuery', source: { kind: 'FunnelsActorsQuery', source: funnel(), funnelStep: 2 } },
  ],
  [
    'events: filtered, newest first, a page in',
    {
      kind: 'EventsQuery',
      select: ['*'],
      after: '2024-03-01',
      properties: [{ key: '$browser', value: 'Chrome', operator: 'exact', type: 'event' }],
      limit: 7,
      offset: 5,
    },
  ],
  [
    'events: oldest first, by a where clause',
    {
      kind: 'EventsQuery',
      select: ['timestamp', 'event', 'distinct_id'],
      after: '2024-03-01',
      where: ["event != 'signup'"],
      orderBy: ['timestamp ASC'],
      limit: 30,
    },
  ],
  [
    'events: ordered by a property',
    {
      kind: 'EventsQuery',
      select: ['uuid', 'properties.amount'],
      after: '2024-03-01',
      event: '$pageview',
      orderBy: ['properties.amount DESC'],
      limit: 20,
    },
  ],
  [
    'events: counted per name and person, first and last time',
    {
      kind: 'EventsQuery',
      select: ['event', 'person_id', 'count()', 'min(timestamp)', 'max(timestamp)'],
      after: '2024-03-01',
      orderBy: ['count() DESC', 'event ASC', 'person_id ASC'],
      limit: 50,
    },
  ],
];

describe('answers read through tiny slices equal answers read in one', () => {
  const tiny = { ...QUERY_BUDGET, statementRows: 9, countedRows: 11 };
  const one = { ...QUERY_BUDGET, statementRows: 1_000_000, countedRows: 1_000_000 };
  for (const [name, q] of QUERIES) {
    it(name, async () => {
      const db = await dbFor(projectId);
      let statements = 0;
      const counting = new Proxy(db, {
        get: (target, prop, receiver) =>
          prop === 'all'
            ? (query: Parameters<typeof db.all>[0]) => {
                statements++;
                return target.all(query);
              }
            : (Reflect.get(target, prop, receiver) as unknown),
      });
      const ctx = { db: counting, projectId, timezone: TIMEZONE, now: Date.UTC(2024, 3, 1) };
      const whole = await runQuery(ctx, AnyQuery.parse(q), one);
      const inOne = statements;
      const sliced = await runQuery(ctx, AnyQuery.parse(q), tiny);
      expect(statements - inOne).toBeGreaterThan(2 * inOne);
      expectSameAnswer(sliced, whole);
    });
  }

  it('the pile is in the answers: its person counts once, its events as many times as they are', async () => {
    const db = await dbFor(projectId);
    const ctx = { db, projectId, timezone: TIMEZONE, now: Date.UTC(2024, 3, 1) };
    const day = trends({}, { dateRange: { date_from: '2024-03-05', date_to: '2024-03-05' } });
    const answer = (await runQuery(ctx, AnyQuery.parse(day), { ...QUERY_BUDGET, statementRows: 7 })) as {
      results: { data: number[] }[];
    };
    const others = world.events.filter(
      (e) =>
        e.event === '$pageview' &&
        e.timestamp >= '2024-03-05T05:00:00.000Z' &&
        e.timestamp < '2024-03-06T05:00:00.000Z',
    );
    expect(answer.results[0]!.data).toEqual([others.length + 2 * PILE]);
    expect(pileDistinctId).toBeTruthy();
  });
});
