import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, dbFor, nastyText, newProject } from '../support';
import { sql } from 'drizzle-orm';
import { generateWorld, seedWorld, TRICKY_KEYS } from './world';

/**
 * Property-based fuzzing of the query endpoint, as the capture routes are
 * fuzzed: whatever the body, the answer is a JSON 200 or a JSON 4xx naming
 * the problem — never a 5xx — and nothing in it reaches SQL as text.
 */
const SEED = 20_261_201;
const RUNS = { garbage: 300, shaped: 400 };
/** A few hundred requests through the whole Worker; slow under load, so the loop gets time (no timing is asserted). */
const LOOP_TIMEOUT = 300_000;

let projectId: number;
let eventCount: number;
const answers = new Map<number, number>();

beforeAll(async () => {
  projectId = (await newProject('query fuzz')).id;
  const world = generateWorld({ seed: 99, users: 15, start: Date.UTC(2024, 2, 1), days: 10, eventsPerUser: 5 });
  await seedWorld(projectId, world);
  eventCount = world.events.length;
});

async function post(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await api(`/api/projects/${projectId}/query/`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'application/json' },
  });
  const text = await res.text();
  answers.set(res.status, (answers.get(res.status) ?? 0) + 1);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, json };
}

function expectAnswered(status: number, json: Record<string, unknown>, body: string) {
  expect(status, `${status} for ${body.slice(0, 300)}: ${JSON.stringify(json).slice(0, 300)}`).toBeLessThan(500);
  expect([200, 400], body.slice(0, 300)).toContain(status);
  if (status === 400) {
    expect(typeof json.detail).toBe('string');
    expect(json.type).toBe('validation_error');
  } else {
    expect(Array.isArray(json.results)).toBe(true);
  }
}

const nasty = nastyText(
  ...TRICKY_KEYS,
  '',
  "' OR 1=1 --",
  '"; DROP TABLE events; --',
  "$'); DROP TABLE persons; --",
  '$.a[0]',
  '$[#-1]',
  '\u0000',
  '\\',
  '%',
  '_',
  '.*',
  '(a+)+$',
  '[',
  '__proto__',
  'constructor',
  '-7d',
  '-99999y',
  'all',
  '2024-02-30',
  '9999-12-31T23:59:59Z',
  'x'.repeat(2000),
);
/** Mostly a valid value, sometimes a hostile one: most bodies must reach the query code. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: hostile, weight: 1 });
const value = fc.oneof(
  nasty,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(nasty, fc.integer()), { maxLength: 4 }),
);
const operator = mostly(
  fc.constantFrom(
    'exact',
    'is_not',
    'icontains',
    'not_icontains',
    'regex',
    'not_regex',
    'gt',
    'gte',
    'lt',
    'lte',
    'is_set',
    'is_not_set',
  ),
  nasty,
);
const propertyValue = mostly(fc.oneof(nasty, fc.integer(), fc.array(nasty, { minLength: 1, maxLength: 3 })), value);
const property = fc.record(
  {
    key: mostly(
      fc.oneof(
        nasty.filter((k) => k.length > 0),
        fc.constantFrom('$browser', 'amount', 'plan'),
      ),
      nasty,
    ),
    value: propertyValue,
    operator,
    type: mostly(fc.constantFrom('event', 'person'), nasty),
  },
  { requiredKeys: ['key'] },
);
const properties = mostly(
  fc.oneof(
    fc.array(property, { maxLength: 3 }),
    fc.record({ type: fc.constantFrom('AND', 'OR'), values: fc.array(property, { maxLength: 3 }) }),
  ),
  value,
);
const dateRange = fc.record(
  {
    date_from: mostly(
      fc.constantFrom(
        '-7d',
        '-24h',
        '-2w',
        '-3m',
        '-1y',
        'dStart',
        'mStart',
        'yStart',
        'all',
        '2024-03-01',
        '2024-03-05T10:00:00',
      ),
      nasty,
    ),
    date_to: mostly(fc.constantFrom('2024-03-10', '-1d'), nasty),
    explicitDate: fc.boolean(),
  },
  { requiredKeys: [] },
);
const series = fc.record(
  {
    kind: fc.constant('EventsNode'),
    event: mostly(fc.constantFrom(null, '$pageview', 'signup', 'purchase'), nasty),
    math: mostly(
      fc.constantFrom(
        'total',
        'dau',
        'weekly_active',
        'monthly_active',
        'unique_session',
        'sum',
        'avg',
        'median',
        'p99',
      ),
      nasty,
    ),
    math_property: mostly(fc.constantFrom('amount', "it's", 'x"y'), nasty),
    properties,
  },
  { requiredKeys: ['kind'] },
);
const breakdownFilter = fc.record(
  {
    breakdown: mostly(fc.constantFrom('$browser', 'plan', 'a.b', 'x"y'), nasty),
    breakdown_type: mostly(fc.constantFrom('event', 'person'), nasty),
    breakdown_limit: mostly(fc.integer({ min: 1, max: 30 }), value),
  },
  { requiredKeys: [] },
);

const shapedQuery = fc.oneof(
  fc.record(
    {
      kind: fc.constant('TrendsQuery'),
      series: fc.array(series, { minLength: 1, maxLength: 3 }),
      interval: mostly(fc.constantFrom('day', 'week', 'month'), fc.oneof(fc.constant('hour'), nasty)),
      dateRange,
      properties,
      breakdownFilter,
      trendsFilter: fc.record({
        display: mostly(fc.constantFrom('BoldNumber', 'ActionsPie', 'ActionsLineGraph'), nasty),
      }),
      compareFilter: fc.record({ compare: fc.boolean() }),
    },
    { requiredKeys: ['kind', 'series'] },
  ),
  fc.record(
    {
      kind: fc.constant('FunnelsQuery'),
      series: fc.array(series, { minLength: 2, maxLength: 4 }),
      dateRange,
      properties,
      breakdownFilter,
      funnelsFilter: fc.record({
        funnelWindowInterval: mostly(fc.integer({ min: 1, max: 100 }), value),
        funnelWindowIntervalUnit: mostly(fc.constantFrom('second', 'minute', 'hour', 'day', 'week', 'month'), nasty),
        funnelOrderType: mostly(fc.constantFrom('ordered', 'strict', 'unordered'), nasty),
      }),
    },
    { requiredKeys: ['kind', 'series'] },
  ),
  fc.record(
    {
      kind: fc.constant('RetentionQuery'),
      dateRange,
      properties,
      retentionFilter: fc.record({
        targetEntity: fc.record({
          id: mostly(fc.constantFrom(null, '$pageview', 'signup'), nasty),
          type: fc.constant('events'),
        }),
        returningEntity: fc.record({
          id: mostly(fc.constantFrom(null, '$pageview', 'purchase'), nasty),
          type: fc.constant('events'),
        }),
        period: mostly(fc.constantFrom('Day', 'Week', 'Month'), nasty),
        totalIntervals: mostly(fc.integer({ min: 1, max: 60 }), value),
        retentionType: mostly(fc.constantFrom('retention_first_time', 'retention_recurring'), nasty),
      }),
    },
    { requiredKeys: ['kind', 'retentionFilter'] },
  ),
  fc.record(
    {
      kind: fc.constant('EventsQuery'),
      select: fc.array(
        mostly(
          fc.oneof(
            fc.constantFrom('*', 'event', 'timestamp', 'person_id', 'count()', 'max(timestamp)'),
            nasty.map((k) => `properties.${k}`),
            nasty.map((k) => `person.properties.${k}`),
          ),
          nasty,
        ),
        { minLength: 1, maxLength: 4 },
      ),
      event: mostly(fc.constantFrom(null, '$pageview'), nasty),
      properties,
      after: mostly(fc.constantFrom('all', '-30d', '2024-03-01'), nasty),
      before: mostly(fc.constantFrom('2024-03-08', '-1d'), nasty),
      orderBy: fc.array(
        mostly(fc.constantFrom('timestamp DESC', 'event ASC', 'count() DESC', 'properties.$browser'), nasty),
        { maxLength: 2 },
      ),
      limit: mostly(fc.integer({ min: 1, max: 200 }), value),
      offset: mostly(fc.integer({ min: 0, max: 100 }), value),
    },
    { requiredKeys: ['kind', 'select'] },
  ),
);

describe('fuzzing the query endpoint', () => {
  it(
    'answers any JSON or garbage with a JSON 200 or 400, never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.json({ maxDepth: 6 }),
            fc.string({ maxLength: 200 }),
            fc.jsonValue({ maxDepth: 4 }).map((query) => JSON.stringify({ query })),
            fc.constantFrom(
              '',
              '{',
              '{"query":',
              '[]'.repeat(3000),
              `{"query":{"kind":"TrendsQuery","series":[${'{"kind":"EventsNode",'.repeat(1)}"event":null}]}}`,
            ),
          ),
          async (body) => {
            const { status, json } = await post(body);
            expectAnswered(status, json, body);
          },
        ),
        { seed: SEED, numRuns: RUNS.garbage },
      );
    },
    LOOP_TIMEOUT,
  );

  it(
    'answers query-shaped bodies with hostile values with a JSON 200 or 400, and nothing injects',
    async () => {
      await fc.assert(
        fc.asyncProperty(shapedQuery, async (query) => {
          const body = JSON.stringify({ query });
          const { status, json } = await post(body);
          expectAnswered(status, json, body);
        }),
        { seed: SEED + 1, numRuns: RUNS.shaped },
      );
      const [row] = await (await dbFor(projectId)).all<{ n: number }>(
        sql`SELECT count(*) AS n FROM events WHERE project_id = ${projectId}`,
      );
      expect(row?.n).toBe(eventCount);
      const [persons] = await (await dbFor(projectId)).all<{ n: number }>(
        sql`SELECT count(*) AS n FROM persons WHERE project_id = ${projectId}`,
      );
      expect(persons?.n).toBeGreaterThan(0);
      console.log('query fuzz answers by status', JSON.stringify(Object.fromEntries(answers)));
      // The shaped bodies must reach the query code, not only the validator.
      expect(answers.get(200) ?? 0).toBeGreaterThan(50);
    },
    LOOP_TIMEOUT,
  );
});
