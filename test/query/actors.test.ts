/**
 * ActorsQuery against the plain model (actors-model.ts): for trends buckets
 * and breakdown values, funnel steps reached and dropped off, and retention
 * cohorts, the persons listed plus `missing_actors_count` (ids no person owns)
 * are exactly the persons the model says the number counts — and as many as
 * the number itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { query, setTimezone } from './helpers';
import { breakdownOf, funnelStepsModel, retentionCohortModel, trendsActorsModel } from './actors-model';
import type { ModelActorsTrends } from './actors-model';
import { generateWorld, seedWorld, type World } from './world';

const START = Date.UTC(2024, 2, 1);
const TIMEZONE = 'America/New_York';
const OTHER = '$$_posthog_breakdown_other_$$';

let projectId: number;
let world: World;
let known: Set<string>;

beforeAll(async () => {
  projectId = (await newProject('actors')).id;
  world = generateWorld({ seed: 26, users: 60, start: START, days: 20, eventsPerUser: 8 });
  await seedWorld(projectId, world);
  await setTimezone(projectId, TIMEZONE);
  known = new Set(world.persons.map((p) => p.id));
});

interface ActorsAnswer {
  results: unknown[][];
  columns: string[];
  types: string[];
  hasMore: boolean;
  missing_actors_count: number;
}

async function actors(source: unknown, extra: Record<string, unknown> = {}): Promise<ActorsAnswer> {
  return query<ActorsAnswer>(projectId, {
    kind: 'ActorsQuery',
    source,
    select: ['id', 'event_count'],
    limit: 10_000,
    ...extra,
  });
}

/** The model's persons split as the answer splits them: listed (have a person row) and missing. */
function split(model: Map<string, unknown>) {
  const ids = [...model.keys()];
  return { listed: ids.filter((id) => known.has(id)).sort(), missing: ids.filter((id) => !known.has(id)).length };
}

function trendsQuery(q: ModelActorsTrends, extra: Record<string, unknown> = {}) {
  return {
    kind: 'TrendsQuery',
    series: [{ kind: 'EventsNode', event: q.event, math: q.math }],
    interval: q.interval,
    dateRange: { date_from: q.from, date_to: q.to },
    properties: q.filters,
    ...(q.breakdown
      ? { breakdownFilter: { breakdown: q.breakdown.key, breakdown_type: q.breakdown.type, breakdown_limit: 2 } }
      : {}),
    ...extra,
  };
}

const TRENDS: [string, ModelActorsTrends][] = [
  [
    'daily active users',
    { event: '$pageview', math: 'dau', filters: [], interval: 'day', from: '2024-03-02', to: '2024-03-12' },
  ],
  [
    'total count, filtered',
    {
      event: null,
      math: 'total',
      filters: [{ key: '$browser', operator: 'is_not', value: 'Safari', type: 'event' }],
      interval: 'day',
      from: '2024-03-05',
      to: '2024-03-15',
    },
  ],
  [
    'weekly buckets',
    { event: 'signup', math: 'dau', filters: [], interval: 'week', from: '2024-03-03', to: '2024-03-20' },
  ],
  [
    'weekly active users',
    { event: null, math: 'weekly_active', filters: [], interval: 'day', from: '2024-03-08', to: '2024-03-14' },
  ],
  [
    'breakdown by browser (limit 2, other)',
    {
      event: null,
      math: 'dau',
      filters: [],
      interval: 'day',
      from: '2024-03-02',
      to: '2024-03-10',
      breakdown: { key: '$browser', type: 'event' },
    },
  ],
  [
    'breakdown by person plan',
    {
      event: '$pageview',
      math: 'dau',
      filters: [],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-03-20',
      breakdown: { key: 'plan', type: 'person' },
    },
  ],
];

const allValues = (q: ModelActorsTrends) => [...new Set(world.events.map((e) => breakdownOf(world, e, q.breakdown!)))];

describe('ActorsQuery over a trends number', () => {
  for (const [name, q] of TRENDS) {
    it(`${name}: every bucket's persons are the model's, as many as the number`, async () => {
      const answer = await query<{ results: { days: string[]; data: number[]; breakdown_value?: string }[] }>(
        projectId,
        trendsQuery(q),
      );
      const shown = answer.results.map((r) => r.breakdown_value).filter((v): v is string => v !== undefined);
      let checked = 0;
      for (const [s, series] of answer.results.entries()) {
        for (const [i, day] of series.days.entries()) {
          if (series.days.length > 6 && i % 3 !== 0 && series.data[i] !== 0) continue; // every third bucket, every empty one
          const bv = series.breakdown_value;
          const values =
            bv === undefined ? undefined : bv === OTHER ? (v: string) => !shown.includes(v) : (v: string) => v === bv;
          const model = trendsActorsModel(world, q, TIMEZONE, day, values);
          const got = await actors({
            kind: 'InsightActorsQuery',
            source: trendsQuery(q),
            day,
            series: 0,
            ...(bv ? { breakdown: bv } : {}),
          });
          const expected = split(model);
          expect(got.results.map((r) => r[0]).sort(), `${day} ${bv ?? ''} (result ${s})`).toEqual(expected.listed);
          expect(got.missing_actors_count).toBe(expected.missing);
          const counts = new Map(got.results.map((r) => [r[0] as string, r[1] as number]));
          for (const id of expected.listed) expect(counts.get(id)).toBe(model.get(id));
          // "Other" adds up its values' numbers: a person in two of them counts twice there, once in the list.
          const parts =
            bv === OTHER
              ? allValues(q)
                  .filter((v) => !shown.includes(v))
                  .map((v) => trendsActorsModel(world, q, TIMEZONE, day, (x) => x === v))
              : [model];
          const number = parts.reduce(
            (sum, m) => sum + (q.math === 'total' ? [...m.values()].reduce((a, b) => a + b, 0) : m.size),
            0,
          );
          expect(series.data[i], `the number at ${day}`).toBe(number);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(2);
    });
  }

  it('compare: the previous period lists the previous bucket', async () => {
    const q: ModelActorsTrends = {
      event: '$pageview',
      math: 'dau',
      filters: [],
      interval: 'day',
      from: '2024-03-12',
      to: '2024-03-18',
    };
    const source = trendsQuery(q, { compareFilter: { compare: true } });
    const got = await actors({ kind: 'InsightActorsQuery', source, day: '2024-03-06', compare: 'previous' });
    const prev = { ...q, from: '2024-03-05', to: '2024-03-11' };
    expect(got.results.map((r) => r[0]).sort()).toEqual(
      split(trendsActorsModel(world, prev, TIMEZONE, '2024-03-06')).listed,
    );
  });

  it('search, orderBy, limit/offset and the person column', async () => {
    const q: ModelActorsTrends = {
      event: null,
      math: 'dau',
      filters: [],
      interval: 'day',
      from: '2024-03-02',
      to: '2024-03-20',
    };
    const source = { kind: 'InsightActorsQuery', source: trendsQuery(q, { trendsFilter: { display: 'BoldNumber' } }) };
    const all = await actors(source, { select: ['id', 'event_count'], orderBy: ['event_count DESC', 'id ASC'] });
    const expected = [...all.results].sort(
      (a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0])),
    );
    expect(all.results).toEqual(expected);
    const page = await actors(source, {
      select: ['id', 'event_count'],
      orderBy: ['event_count DESC', 'id ASC'],
      limit: 5,
      offset: 5,
    });
    expect(page.results).toEqual(expected.slice(5, 10));
    expect(page.hasMore).toBe(expected.length > 10);
    const person = world.persons.find(
      (p) => p.distinctIds.some((d) => d.startsWith('user-')) && all.results.some((r) => r[0] === p.id),
    )!;
    const userId = person.distinctIds.find((d) => d.startsWith('user-'))!;
    const found = await actors(source, { select: ['person', 'id'], search: userId.toUpperCase() });
    const matching = world.persons.filter(
      (p) => all.results.some((r) => r[0] === p.id) && p.distinctIds.some((d) => d.includes(userId)),
    );
    expect(found.results.map((r) => r[1]).sort()).toEqual(matching.map((p) => p.id).sort());
    const first = found.results.find((r) => r[1] === person.id)![0] as {
      id: string;
      distinct_ids: string[];
      properties: unknown;
    };
    expect(first.id).toBe(person.id);
    expect([...first.distinct_ids].sort()).toEqual([...person.distinctIds].sort());
    expect(first.properties).toEqual(person.properties);
  });
});

describe('ActorsQuery over a funnel step', () => {
  const steps = ['$pageview', 'signup', 'purchase'];
  const funnel = (extra: Record<string, unknown> = {}) => ({
    kind: 'FunnelsQuery',
    series: steps.map((event) => ({ kind: 'EventsNode', event })),
    dateRange: { date_from: '2024-03-01', date_to: '2024-03-20' },
    funnelsFilter: { funnelWindowInterval: 3, funnelWindowIntervalUnit: 'day' },
    ...extra,
  });

  it('reached and dropped off, each step, as the model and the step counts', async () => {
    const model = funnelStepsModel(world, steps, 3 * 86_400_000, '2024-03-01', '2024-03-20', TIMEZONE);
    const answer = await query<{ results: { count: number }[] }>(projectId, funnel());
    for (const step of [1, 2, 3, -2, -3]) {
      const want = new Map([...model].filter(([, n]) => (step > 0 ? n >= step : n === -step - 1)));
      const got = await actors({ kind: 'FunnelsActorsQuery', source: funnel(), funnelStep: step }, { select: ['id'] });
      const expected = split(want);
      expect(got.results.map((r) => r[0]).sort(), `step ${step}`).toEqual(expected.listed);
      expect(got.missing_actors_count).toBe(expected.missing);
      const number =
        step > 0
          ? answer.results[step - 1]!.count
          : answer.results[-step - 2]!.count - answer.results[-step - 1]!.count;
      expect(got.results.length + got.missing_actors_count, `the number of step ${step}`).toBe(number);
    }
  });

  it('a person breakdown value', async () => {
    const source = funnel({ breakdownFilter: { breakdown: 'plan', breakdown_type: 'person' } });
    const model = funnelStepsModel(world, steps, 3 * 86_400_000, '2024-03-01', '2024-03-20', TIMEZONE);
    for (const plan of ['pro', 'free']) {
      const got = await actors(
        { kind: 'FunnelsActorsQuery', source, funnelStep: -2, funnelStepBreakdown: [plan] },
        { select: ['id'] },
      );
      const want = new Map([...model].filter(([p, n]) => n === 1 && world.personProps.get(p)?.plan === plan));
      expect(got.results.map((r) => r[0]).sort()).toEqual(split(want).listed);
    }
  });
});

describe('ActorsQuery over a retention cohort', () => {
  it('each cohort lists the model cohort with its appearances', async () => {
    const days = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08', '2024-03-09', '2024-03-10'];
    const source = {
      kind: 'RetentionQuery',
      dateRange: { date_to: days.at(-1) },
      retentionFilter: {
        period: 'Day',
        totalIntervals: days.length,
        targetEntity: { id: '$pageview', type: 'events' },
        returningEntity: { id: null, type: 'events' },
        retentionType: 'retention_recurring',
      },
    };
    const answer = await query<{ results: { values: { count: number }[] }[] }>(projectId, source);
    for (const [i, day] of days.entries()) {
      const model = retentionCohortModel(world, '$pageview', null, day, days.at(-1)!, TIMEZONE);
      const got = await actors({ kind: 'InsightActorsQuery', source, interval: i }, { select: ['id', 'appearances'] });
      const expected = split(model);
      expect(got.results.map((r) => r[0]).sort(), day).toEqual(expected.listed);
      for (const [id, appearances] of got.results) expect(appearances).toEqual(model.get(id as string));
      expect(got.results.length + got.missing_actors_count).toBe(answer.results[i]!.values[0]!.count);
    }
  });
});

// A tripwire for the model itself: breakdownOf must see the same null label as the answer.
it('the model labels missing breakdown values as PostHog does', () => {
  const e = world.events.find((x) => x.properties.$browser === undefined)!;
  expect(breakdownOf(world, e, { key: '$browser', type: 'event' })).toBe('$$_posthog_breakdown_null_$$');
});
