import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { QUERY_BUDGET, QueryBudget, attachBudget } from '../../src/query/budget';
import { checkCost } from '../../src/query/cost';
import { QueryError } from '../../src/query/errors';
import { AnyQuery } from '../../src/query/schema';
import { run } from '../../src/query/source';
import { dbFor, ingest, newProject, storedEvents, warningsOf } from '../support';
import { postQuery } from './helpers';

/**
 * Issue 30's query-side attacks, each reproduced in workerd and answered
 * within its bound (budget.ts): a hot distinct id, answers too large to build,
 * reads over the budget, a deadline, hostile regexes, weekly active users over
 * a long range. Counts are compared with what the seeded rows make them.
 */
const DAY = 86_400_000;
const now = Date.now();
const HOT_EVENTS = QUERY_BUDGET.funnelEventsPerActor + 2_000;
const PERSONS = 40;

let projectId: number;

/** `count` events of one distinct id, one second apart from `start`, named by `name(n)` (SQL over n). */
async function seedSeries(distinctId: string, count: number, start: number, name: string) {
  const db = await dbFor(projectId);
  await db.run(sql`WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < ${count - 1})
    INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties, timestamp)
    SELECT ${projectId}, lower(hex(randomblob(16))), ${sql.raw(name)}, ${distinctId}, ${`person-${distinctId}`},
      json_object('n', n, 'long', CASE WHEN n = 0 THEN ${`${'a'.repeat(5_000)}b`} END),
      strftime('%Y-%m-%dT%H:%M:%fZ', ${start / 1000} + n, 'unixepoch') FROM seq`);
}

beforeAll(async () => {
  projectId = (await newProject('query bounds')).id;
  // The hot id: HOT_EVENTS pageviews in a row, its one signup last (beyond the per-actor cap).
  await seedSeries(
    'hot',
    HOT_EVENTS,
    now - 2 * DAY,
    `CASE WHEN n = ${HOT_EVENTS - 1} THEN 'signup' ELSE '$pageview' END`,
  );
  for (let p = 0; p < PERSONS; p++) {
    await seedSeries(`p${p}`, 2, now - DAY - p * 60_000, `CASE n WHEN 0 THEN '$pageview' ELSE 'signup' END`);
  }
}, 120_000);

interface Answer {
  code?: string;
  attr?: string | null;
  results: { count: number; data: number[]; aggregated_value: number }[];
}

async function answer(query: unknown) {
  const res = await postQuery(projectId, { query });
  return { status: res.status, json: (await res.json()) as Answer };
}

const funnel = (extra: Record<string, unknown>, first: string | null = '$pageview') => ({
  kind: 'FunnelsQuery',
  series: [
    { kind: 'EventsNode', event: first },
    { kind: 'EventsNode', event: 'signup' },
  ],
  dateRange: { date_from: '-7d' },
  ...extra,
});

describe('a hot distinct id', () => {
  for (const [name, query] of [
    ['ordered', funnel({})],
    ['strict', funnel({ funnelsFilter: { funnelOrderType: 'strict' } })],
    ['unordered', funnel({ funnelsFilter: { funnelOrderType: 'unordered' } })],
    ['an "all events" step', funnel({}, null)],
  ] as const) {
    it(`${name} funnels answer, the hot actor walked over its earliest ${QUERY_BUDGET.funnelEventsPerActor} events`, async () => {
      const { status, json } = await answer(query);
      expect(status, JSON.stringify(json).slice(0, 300)).toBe(200);
      // Every ordinary person converts; the hot actor reaches step 1 (its signup is past the cap).
      expect(json.results.map((s) => s.count)).toEqual([PERSONS + 1, PERSONS]);
    });
  }
});

describe('cost budgets: 400 query_too_expensive before anything runs', () => {
  it('an answer too large to build (hourly × breakdown_limit 1000) names breakdown_limit', async () => {
    const { status, json } = await answer({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview' }],
      interval: 'hour',
      dateRange: { date_from: '-200d' },
      breakdownFilter: { breakdown: 'n', breakdown_limit: 1000 },
    });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'query_too_expensive', attr: 'query.breakdownFilter.breakdown_limit' });
  });

  it('reads over the row budget: counted on the index, as many as the seeded rows', async () => {
    const db = await dbFor(projectId);
    const query = AnyQuery.parse({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: null }] });
    const ctx = { db, projectId, timezone: 'UTC', now };
    const seeded = HOT_EVENTS + 2 * PERSONS;
    const budget = (scannedRows: number) => new QueryBudget({ ...QUERY_BUDGET, scannedRows });
    await expect(checkCost(ctx, query, budget(seeded))).resolves.toBeUndefined();
    await expect(checkCost(ctx, query, budget(seeded - 1))).rejects.toMatchObject({
      status: 400,
      code: 'query_too_expensive',
      attr: 'query.dateRange',
    });
  });

  it('regex filters on more properties than allowed name the filter', async () => {
    const properties = Array.from({ length: QUERY_BUDGET.regexScans + 1 }, (_, i) => ({
      key: `k${i}`,
      value: 'x',
      operator: 'regex',
      type: 'event',
    }));
    const { status, json } = await answer({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode' }], properties });
    expect(status).toBe(400);
    expect(json).toMatchObject({ code: 'query_too_expensive', attr: `query.properties.${QUERY_BUDGET.regexScans}` });
  });
});

describe('regex filters: RE2, linear time, one read per key', () => {
  const trend = (properties: unknown[]) => ({
    kind: 'TrendsQuery',
    series: [{ kind: 'EventsNode', event: '$pageview' }],
    dateRange: { date_from: '-7d' },
    trendsFilter: { display: 'BoldNumber' },
    properties,
  });
  const regex = (value: string, key = 'long') => ({ key, value, operator: 'regex', type: 'event' });

  it('^(a+)+$ against a planted 5,000-character value answers at once (no backtracking)', async () => {
    const started = Date.now();
    const { status, json } = await answer(trend([regex('^(a+)+$')]));
    expect(status).toBe(200);
    expect(json.results[0]!.aggregated_value).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    // RE2's flags and partial matching (ClickHouse match()): the hot id's first pageview and every person's.
    const matched = await answer(trend([regex('(?i)A+B$')]));
    expect(matched.json.results[0]!.aggregated_value).toBe(1 + PERSONS);
  });

  it('20 regex filters on one key: one read, answered; 1,000 (ten groups of 100): a 400, at once', async () => {
    const filters = (n: number) => Array.from({ length: n }, (_, i) => regex(`a{${i % 50}}`));
    const hundred = await answer(trend(filters(20)));
    expect(hundred.status, JSON.stringify(hundred.json).slice(0, 300)).toBe(200);
    expect(hundred.json.results[0]!.aggregated_value).toBe(1 + PERSONS);
    const started = Date.now();
    const { status, json } = await answer({
      ...trend([]),
      properties: { type: 'AND', values: Array.from({ length: 10 }, () => ({ type: 'AND', values: filters(100) })) },
    });
    // The statement is longer than D1 takes (SQLITE_TOOBIG): refused, not run, and not a 504.
    expect(status).toBe(400);
    expect(json.code).toBe('query_too_complex');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('a pattern RE2 does not take (look-behind) is a 400 naming its value', async () => {
    const { status, json } = await answer(trend([regex('(?<=a)b')]));
    expect(status).toBe(400);
    expect(json.attr).toBe('query.properties.0.value');
  });
});

describe('deadline', () => {
  it('a statement after the deadline answers 504 query_timeout', async () => {
    const db = Object.create(await dbFor(projectId));
    attachBudget(db, new QueryBudget({ ...QUERY_BUDGET, deadlineMs: -1 }));
    const error = await run(db, sql`SELECT 1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect(error).toMatchObject({ status: 504, code: 'query_timeout' });
  });
});

describe('weekly and monthly active users over 4,990 days', () => {
  for (const math of ['weekly_active', 'monthly_active']) {
    it(`${math}: one pass, the last bucket counts every actor`, async () => {
      const started = Date.now();
      const { status, json } = await answer({
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: null, math }],
        dateRange: { date_from: '-4990d' },
      });
      expect(status, JSON.stringify(json).slice(0, 300)).toBe(200);
      const data = json.results[0]!.data;
      expect(data).toHaveLength(4991);
      expect(data.at(-1)).toBe(1 + PERSONS);
      expect(data.slice(0, -30).every((v) => v === 0)).toBe(true);
      // Was days × events (one join row per bucket and active day).
      expect(Date.now() - started).toBeLessThan(15_000);
    });
  }
});

describe('timestamps before 1970 at capture, and date_from "all"', () => {
  it('are stored at the epoch with ignored_invalid_timestamp; "all" still answers', async () => {
    const project = await newProject('pre-1970');
    const batch = ['0001-01-01T00:00:00Z', -1, '1969-07-20T20:17:00Z'].map((timestamp) => ({
      uuid: crypto.randomUUID(),
      event: 'old',
      distinct_id: 'time-traveller',
      timestamp,
    }));
    await ingest(project, batch);
    const stored = await storedEvents(
      project.id,
      batch.map((e) => e.uuid),
    );
    expect([...stored.values()].map((e) => e.timestamp)).toEqual(Array(3).fill('1970-01-01T00:00:00.000Z'));
    const warnings = (await warningsOf(project.id)).filter((w) => w.type === 'ignored_invalid_timestamp');
    expect(warnings).toHaveLength(3);
    for (const query of [
      { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: null }], dateRange: { date_from: 'all' } },
      {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: null, math: 'dau' }],
        interval: 'month',
        dateRange: { date_from: 'all' },
      },
      { kind: 'EventsQuery', select: ['*'], after: 'all' },
      { kind: 'RetentionQuery', retentionFilter: {}, dateRange: { date_to: '-999999y' } },
    ]) {
      const res = await postQuery(project.id, { query });
      expect(res.status, JSON.stringify(query)).toBeLessThan(500);
      if (query.kind !== 'RetentionQuery') expect(res.status).toBe(200);
    }
  });
});
