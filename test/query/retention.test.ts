import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { addDaysTo, postQuery, query, weekStartOf } from './helpers';
import { generateWorld, matches, personOf, seedWorld, wallClock, type ModelFilter, type World } from './world';

let projectId: number;
let world: World;

beforeAll(async () => {
  projectId = (await newProject('retention')).id;
  world = generateWorld({ seed: 11, users: 90, start: Date.UTC(2024, 1, 20), days: 60, eventsPerUser: 10 });
  await seedWorld(projectId, world);
});

interface ModelRetention {
  period: 'Day' | 'Week' | 'Month';
  total: number;
  dateTo: string;
  /** PostHog's cohorts from date_from: one per period from it to dateTo, every row `total` long. */
  dateFrom?: string;
  target: string | null;
  returning: string | null;
  firstTime?: boolean;
  filters?: ModelFilter[];
}

function periodKey(date: string, period: ModelRetention['period']): string {
  if (period === 'Week') return weekStartOf(date);
  if (period === 'Month') return `${date.slice(0, 7)}-01`;
  return date;
}

function cohortKeys(q: ModelRetention): string[] {
  const keys = [periodKey(q.dateTo, q.period)];
  const first = q.dateFrom ? periodKey(q.dateFrom, q.period) : null;
  while (first ? keys[0]! > first : keys.length < q.total) {
    const first = keys[0]!;
    if (q.period === 'Day') keys.unshift(addDaysTo(first, -1));
    else if (q.period === 'Week') keys.unshift(addDaysTo(first, -7));
    else {
      const [y, m] = first.split('-').map(Number) as [number, number];
      keys.unshift(new Date(Date.UTC(y, m - 2, 1)).toISOString().slice(0, 10));
    }
  }
  return keys;
}

function modelRetention(w: World, q: ModelRetention, timezone: string): number[][] {
  const keys = cohortKeys(q);
  const starts = keys.map(() => new Set<string>());
  const returns = new Set<string>();
  const first = new Map<string, string>();
  for (const e of w.events) {
    if (!(q.filters ?? []).every((f) => matches(w, e, f))) continue;
    const key = periodKey(wallClock(Date.parse(e.timestamp), timezone).date, q.period);
    const person = personOf(w, e);
    if (q.returning === null || e.event === q.returning) returns.add(`${person}|${key}`);
    if (q.target !== null && e.event !== q.target) continue;
    if (q.firstTime) {
      const seen = first.get(person);
      if (!seen || e.timestamp < seen.split('|')[0]!) first.set(person, `${e.timestamp}|${key}`);
    } else if (keys.includes(key)) starts[keys.indexOf(key)]!.add(person);
  }
  if (q.firstTime) {
    for (const [person, v] of first) {
      const key = v.split('|')[1]!;
      if (keys.includes(key)) starts[keys.indexOf(key)]!.add(person);
    }
  }
  const count = (i: number, k: string | undefined, j: number) => {
    if (j === 0) return starts[i]!.size;
    return k === undefined ? 0 : [...starts[i]!].filter((p) => returns.has(`${p}|${k}`)).length;
  };
  if (q.dateFrom) return keys.map((_, i) => Array.from({ length: q.total }, (_, j) => count(i, keys[i + j], j)));
  return keys.map((_, i) => keys.slice(i).map((k, j) => count(i, k, j)));
}

function toQuery(q: ModelRetention) {
  return {
    kind: 'RetentionQuery',
    dateRange: { date_to: q.dateTo, ...(q.dateFrom ? { date_from: q.dateFrom } : {}) },
    ...(q.filters ? { properties: q.filters } : {}),
    retentionFilter: {
      period: q.period,
      totalIntervals: q.total,
      targetEntity: { id: q.target, type: 'events' },
      returningEntity: { id: q.returning, type: 'events' },
      ...(q.firstTime ? { retentionType: 'retention_first_time' } : { retentionType: 'retention_recurring' }),
    },
  };
}

const CASES: [string, ModelRetention][] = [
  [
    'daily, pageview to any event',
    { period: 'Day', total: 11, dateTo: '2024-03-10', target: '$pageview', returning: null },
  ],
  [
    'weekly, 8 weeks, signup to purchase',
    { period: 'Week', total: 8, dateTo: '2024-04-15', target: 'signup', returning: 'purchase' },
  ],
  [
    'weekly first time',
    { period: 'Week', total: 8, dateTo: '2024-04-15', target: '$pageview', returning: '$pageview', firstTime: true },
  ],
  [
    'daily first time of any event',
    { period: 'Day', total: 14, dateTo: '2024-03-05', target: null, returning: null, firstTime: true },
  ],
  ['monthly', { period: 'Month', total: 3, dateTo: '2024-04-10', target: null, returning: 'purchase' }],
  [
    'daily from date_from, rows of totalIntervals',
    { period: 'Day', total: 5, dateFrom: '2024-02-25', dateTo: '2024-03-12', target: '$pageview', returning: null },
  ],
  [
    'weekly from date_from, first time, more cohorts than intervals',
    {
      period: 'Week',
      total: 3,
      dateFrom: '2024-02-21',
      dateTo: '2024-04-15',
      target: 'signup',
      returning: 'purchase',
      firstTime: true,
    },
  ],
  [
    'with filters',
    {
      period: 'Week',
      total: 6,
      dateTo: '2024-04-10',
      target: '$pageview',
      returning: null,
      filters: [
        { key: 'plan', operator: 'exact', value: ['pro', 'team'], type: 'person' },
        { key: '$browser', operator: 'is_not', value: 'Edge', type: 'event' },
      ],
    },
  ],
];

describe('RetentionQuery matches the plain model', () => {
  for (const timezone of ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/London']) {
    for (const [name, q] of CASES) {
      it(`${name} (${timezone})`, async () => {
        const answer = await query<{
          results: { date: string; label: string; values: { count: number; label: string }[] }[];
        }>(projectId, toQuery(q), timezone);
        const expected = modelRetention(world, q, timezone);
        expect(expected.flat().some((n) => n > 0)).toBe(true);
        expect(answer.results.map((c) => c.values.map((v) => v.count))).toEqual(expected);
        expect(answer.results.map((c) => c.date.slice(0, 10))).toEqual(cohortKeys(q));
        expect(answer.results[1]!.label).toBe(`${q.period} 1`);
        expect(answer.results[0]!.values.map((v) => v.label).at(-1)).toBe(`${q.period} ${q.total - 1}`);
        if (q.dateFrom) expect(answer.results.every((c) => c.values.length === q.total)).toBe(true);
      });
    }
  }

  it('dates cohorts at local midnight in the project timezone', async () => {
    const answer = await query<{ results: { date: string }[] }>(projectId, toQuery(CASES[0]![1]), 'America/New_York');
    expect(answer.results[0]!.date).toBe('2024-02-29T00:00:00-05:00');
    expect(answer.results.at(-1)!.date).toBe('2024-03-10T00:00:00-05:00');
  });

  it('refuses an hourly period and too many intervals', async () => {
    for (const [filter, attr] of [
      [{ period: 'Hour' }, 'query.retentionFilter.period'],
      [{ totalIntervals: 1000 }, 'query.retentionFilter.totalIntervals'],
    ] as const) {
      const res = await postQuery(projectId, { query: { kind: 'RetentionQuery', retentionFilter: filter } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { attr: string }).attr).toBe(attr);
    }
  });
});
