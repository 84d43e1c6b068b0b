import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { query } from './helpers';
import { modelTrends, type ModelSeries, type ModelTrendsQuery } from './trends-model';
import { generateWorld, seedWorld, type ModelFilter, type World } from './world';

const TIMEZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'Europe/London'];
const START = Date.UTC(2024, 2, 1); // DST: New York Mar 10, London Mar 31, Auckland Apr 7

let projectId: number;
let world: World;

beforeAll(async () => {
  projectId = (await newProject('trends')).id;
  world = generateWorld({ seed: 42, users: 70, start: START, days: 45, eventsPerUser: 8 });
  await seedWorld(projectId, world);
});

interface Answer {
  results: (ModelSeries & { action: { math: string | null; order: number }; compare_label?: string })[];
}

function toQuery(q: ModelTrendsQuery, extra: Record<string, unknown> = {}) {
  return {
    kind: 'TrendsQuery',
    series: [
      {
        kind: 'EventsNode',
        event: q.event,
        math: q.math,
        ...(q.mathProperty ? { math_property: q.mathProperty } : {}),
        ...(q.seriesFilters ? { properties: q.seriesFilters } : {}),
      },
    ],
    interval: q.interval,
    dateRange: { date_from: q.from, date_to: q.to },
    properties: q.filters,
    ...(q.breakdown
      ? {
          breakdownFilter: {
            breakdown: q.breakdown.key,
            breakdown_type: q.breakdown.type,
            breakdown_limit: q.breakdown.limit,
          },
        }
      : {}),
    ...(q.breakdowns
      ? {
          breakdownFilter: {
            breakdowns: q.breakdowns.parts.map((p) => ({ property: p.key, type: p.type })),
            breakdown_limit: q.breakdowns.limit,
          },
        }
      : {}),
    ...(q.aggregate ? { trendsFilter: { display: 'BoldNumber' } } : {}),
    ...extra,
  };
}

function expectSame(actual: Answer, expected: ModelSeries[], floats = false) {
  const shape = (s: ModelSeries) => ({
    label: s.label,
    days: s.days,
    labels: s.aggregated_value === undefined ? s.labels : [],
    breakdown_value: s.breakdown_value,
  });
  expect(actual.results.map((s) => shape({ ...s, labels: s.labels ?? [] }))).toEqual(expected.map(shape));
  for (const [i, e] of expected.entries()) {
    const a = actual.results[i]!;
    if (floats) {
      for (const [j, v] of e.data.entries()) expect(a.data[j], `data[${j}] of ${e.label}`).toBeCloseTo(v, 6);
      expect(a.count).toBeCloseTo(e.count, 6);
    } else {
      expect(a.data, `data of ${e.label}`).toEqual(e.data);
      expect(a.count).toBe(e.count);
    }
    if (e.aggregated_value !== undefined) expect(a.aggregated_value).toBeCloseTo(e.aggregated_value, 6);
  }
}

const f = (key: string, operator: string, value: unknown, type: 'event' | 'person' = 'event'): ModelFilter => ({
  key,
  operator,
  value,
  type,
});

const CASES: [string, ModelTrendsQuery, boolean?][] = [
  [
    'total pageviews per day',
    { event: '$pageview', math: 'total', filters: [], interval: 'day', from: '2024-03-03', to: '2024-03-20' },
  ],
  [
    'dau of all events per day',
    { event: null, math: 'dau', filters: [], interval: 'day', from: '2024-03-01', to: '2024-04-14' },
  ],
  ['weekly dau', { event: null, math: 'dau', filters: [], interval: 'week', from: '2024-03-05', to: '2024-04-10' }],
  [
    'monthly total',
    { event: 'purchase', math: 'total', filters: [], interval: 'month', from: '2024-03-01', to: '2024-04-14' },
  ],
  [
    'weekly active users',
    { event: null, math: 'weekly_active', filters: [], interval: 'day', from: '2024-03-08', to: '2024-04-02' },
  ],
  [
    'monthly active users',
    { event: '$pageview', math: 'monthly_active', filters: [], interval: 'week', from: '2024-03-20', to: '2024-04-14' },
  ],
  [
    'unique sessions',
    { event: null, math: 'unique_session', filters: [], interval: 'day', from: '2024-03-01', to: '2024-03-31' },
  ],
  [
    'sum of amount',
    {
      event: 'purchase',
      math: 'sum',
      mathProperty: 'amount',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-31',
    },
    true,
  ],
  [
    'avg of amount',
    {
      event: null,
      math: 'avg',
      mathProperty: 'amount',
      filters: [],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-04-14',
    },
    true,
  ],
  [
    'min and max',
    {
      event: null,
      math: 'max',
      mathProperty: 'amount',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-15',
    },
    true,
  ],
  [
    'min',
    {
      event: null,
      math: 'min',
      mathProperty: 'amount',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-15',
    },
    true,
  ],
  [
    'median',
    {
      event: null,
      math: 'median',
      mathProperty: 'amount',
      filters: [],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-04-14',
    },
    true,
  ],
  [
    'p90',
    {
      event: null,
      math: 'p90',
      mathProperty: 'amount',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-12',
    },
    true,
  ],
  [
    'hourly across DST',
    { event: null, math: 'total', filters: [], interval: 'hour', from: '2024-03-09', to: '2024-03-11' },
  ],
  [
    'hourly across autumn DST',
    { event: null, math: 'dau', filters: [], interval: 'hour', from: '2024-04-06', to: '2024-04-07' },
  ],
  [
    'event and person filters',
    {
      event: null,
      math: 'dau',
      filters: [
        f('$browser', 'exact', ['Chrome', 'Safari']),
        f('plan', 'is_not', 'free', 'person'),
        f('amount', 'gte', 10),
      ],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-25',
    },
  ],
  [
    'every operator',
    {
      event: null,
      math: 'total',
      filters: [
        f('$current_url', 'icontains', 'EXAMPLE/'),
        f('$current_url', 'not_icontains', 'pricing'),
        f('$browser', 'regex', '^(Chr|Fir)'),
        f('$browser', 'not_regex', 'fox$'),
        f('amount', 'lt', 400),
        f('amount', 'gt', 1),
        f('amount', 'lte', 300),
        f('$session_id', 'is_set', null),
        f('nope', 'is_not_set', null),
        f('age', 'is_set', null, 'person'),
      ],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-04-14',
    },
  ],
  [
    'tricky keys',
    {
      event: null,
      math: 'total',
      filters: [
        f('a.b', 'exact', 'v1'),
        f("it's", 'is_not', 'v2'),
        f('x"y', 'is_set', null),
        f('back\\slash', 'is_not', "o'q"),
      ],
      seriesFilters: [
        f('ключ 🔑', 'is_not', 7),
        f("'; DROP TABLE events; --", 'is_not', 'v1'),
        f('[0]', 'is_not', 'ünï'),
        f('$dollar', 'is_not', 'v2'),
      ],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-04-14',
    },
  ],
  [
    'tricky person keys',
    {
      event: null,
      math: 'dau',
      filters: [f('x"y', 'exact', 'p1', 'person'), f('a.b', 'is_not', 'p2', 'person')],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-04-14',
    },
  ],
  [
    'breakdown by browser with other',
    {
      event: null,
      math: 'dau',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-30',
      breakdown: { key: '$browser', type: 'event', limit: 2 },
    },
  ],
  [
    'breakdown by tricky key',
    {
      event: null,
      math: 'total',
      filters: [],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-04-14',
      breakdown: { key: 'x"y', type: 'event', limit: 25 },
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
      to: '2024-04-14',
      breakdown: { key: 'plan', type: 'person', limit: 25 },
    },
  ],
  [
    'multiple breakdowns: browser and person plan, with other',
    {
      event: null,
      math: 'total',
      filters: [],
      interval: 'week',
      from: '2024-03-01',
      to: '2024-04-14',
      breakdowns: {
        parts: [
          { key: '$browser', type: 'event' },
          { key: 'plan', type: 'person' },
        ],
        limit: 5,
      },
    },
  ],
  [
    'multiple breakdowns, dau, tricky key with nulls',
    {
      event: '$pageview',
      math: 'dau',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-03-30',
      breakdowns: {
        parts: [
          { key: 'x"y', type: 'event' },
          { key: '$browser', type: 'event' },
          { key: 'plan', type: 'person' },
        ],
        limit: 25,
      },
    },
  ],
  [
    'bold number wau with multiple breakdowns',
    {
      event: null,
      math: 'weekly_active',
      filters: [],
      interval: 'day',
      from: '2024-03-10',
      to: '2024-03-28',
      aggregate: true,
      breakdowns: {
        parts: [
          { key: 'plan', type: 'person' },
          { key: '$browser', type: 'event' },
        ],
        limit: 4,
      },
    },
  ],
  [
    'bold number dau',
    { event: null, math: 'dau', filters: [], interval: 'day', from: '2024-03-04', to: '2024-03-28', aggregate: true },
  ],
  [
    'bold number wau with breakdown',
    {
      event: null,
      math: 'weekly_active',
      filters: [],
      interval: 'day',
      from: '2024-03-10',
      to: '2024-03-28',
      aggregate: true,
      breakdown: { key: '$browser', type: 'event', limit: 3 },
    },
  ],
  [
    'pie of avg by person breakdown',
    {
      event: null,
      math: 'avg',
      mathProperty: 'amount',
      filters: [],
      interval: 'day',
      from: '2024-03-01',
      to: '2024-04-14',
      aggregate: true,
      breakdown: { key: 'plan', type: 'person', limit: 25 },
    },
    true,
  ],
];

describe('TrendsQuery matches the plain model', () => {
  for (const timezone of TIMEZONES) {
    for (const [name, q, floats] of CASES) {
      it(`${name} (${timezone})`, async () => {
        const answer = await query<Answer>(projectId, toQuery(q), timezone);
        const expected = modelTrends(world, q, timezone);
        expect(
          expected.some((s) => (s.aggregated_value ?? s.count) > 0),
          'the case selects some events',
        ).toBe(true);
        expectSame(answer, expected, floats);
      });
    }
  }
});
