// Issue 30's query-side attacks against a real `wrangler dev` (local D1 runs its SQLite on the
// workerd thread, so a long statement holds every other request): each attack answers within
// its bound (status, time, bytes) while `/_readiness` keeps answering. Queries read their events
// in slices of at most 10,000 rows, one short statement each (src/query/slices.ts), so readiness
// polled every 50 ms stays under 250 ms at the 99th percentile; the worst accepted query of each
// kind is also checked against a plain model of the seeded events. HogQL (one statement,
// docs/guarantees.md) is measured and reported, not held to that bound.
import { beforeAll, describe, expect, it } from 'vitest';
import { freshProject, type SuiteContext } from './lib/context';

const DAY = 86_400_000;
const DAYS = 60;
const USERS = 1_500;
const EVENTS = 60_000;
const HOT_EVENTS = 20_000;
const PER_REQUEST = 5_000;
/** Issue 30: `/_readiness` p99 while the worst accepted query runs. */
const READINESS_P99_MS = 250;
const POLL_EVERY_MS = 50;

interface Seeded {
  event: string;
  distinct_id: string;
  timestamp: string;
  properties?: { unique: string; path: string; amount: number };
}

let ctx: SuiteContext;
let apiKey: string;

/**
 * The project of the worst accepted queries: as many events as a weekly-active-users trend over
 * all of them may read (8 rows of work each, under the 2,000,000-row budget), kept for the models.
 */
const BIG_EVENTS = 240_000;
const BIG_USERS = 4_000;
let big: { projectId: number; events: Seeded[] };
/** The day the big project was seeded (UTC), the last day of the models' ranges. */
let today = '';

/** Events over the last DAYS days, spread over `users` distinct ids, each with a unique value, a path and an amount. */
function spread(count: number, users: number, now: number): Seeded[] {
  return Array.from({ length: count }, (_, i) => ({
    event: i % 5 === 0 ? 'signup' : '$pageview',
    distinct_id: `u-${i % users}`,
    timestamp: new Date(now - ((i * 7919) % (DAYS * DAY))).toISOString(),
    // A value unique per event: the breakdown that made a 333 MB answer.
    properties: { unique: `v-${i}`, path: i === 0 ? `${'a'.repeat(30)}!` : `/p/${i % 40}`, amount: (i * 31) % 97 },
  }));
}

const events = (): Seeded[] => {
  const now = Date.now();
  const out = spread(EVENTS, USERS, now);
  for (let i = 0; i < HOT_EVENTS; i++) {
    out.push({ event: '$pageview', distinct_id: 'hot', timestamp: new Date(now - DAY + i).toISOString() });
  }
  return out;
};

/** wrangler dev reloads the Worker when a source file changes (other work in the tree): sent again, as an SDK would. */
const RELOADED = /restarted mid-request/;
/** Requests that met a reload (a 503 or a dropped connection) since the count was last read. */
let reloads = 0;

async function post(path: string, body: unknown, key: string | null = apiKey) {
  for (let attempt = 0; ; attempt++) {
    const started = performance.now();
    let res: Response;
    try {
      res = await fetch(`${ctx.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify(body),
      });
    } catch (error) {
      // A reload drops the connection: wait for the new Worker and send again.
      if (attempt >= 5) throw error;
      reloads++;
      await new Promise((r) => setTimeout(r, 2_000));
      continue;
    }
    const text = await res.text();
    if (res.status === 503 && RELOADED.test(text) && attempt < 5) {
      reloads++;
      continue;
    }
    return { status: res.status, text, bytes: Buffer.byteLength(text), ms: performance.now() - started };
  }
}

async function storedCount(projectId: number): Promise<number> {
  const res = await post(`/api/projects/${projectId}/query/`, {
    query: { kind: 'EventsQuery', select: ['count()'], after: 'all' },
  });
  return res.status === 200 ? (JSON.parse(res.text).results[0]?.[0] ?? 0) : 0;
}

/** Runs `attack` while polling /_readiness every 50 ms; the attack's answer and the readiness latencies. */
async function measure<T>(attack: () => Promise<T>) {
  const latencies: number[] = [];
  let done = false;
  reloads = 0;
  const poller = (async () => {
    while (!done) {
      const started = performance.now();
      try {
        const res = await fetch(`${ctx.baseUrl}/_readiness`);
        await res.arrayBuffer();
        latencies.push(performance.now() - started);
      } catch {
        reloads++;
      }
      await new Promise((r) => setTimeout(r, POLL_EVERY_MS));
    }
  })();
  const result = await attack();
  done = true;
  await poller;
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.99))] ?? 0;
  return { result, p99, max: latencies.at(-1) ?? 0, samples: latencies.length, reloaded: reloads > 0 };
}

/** As `measure`, again when a reload of the Worker (another change in the tree) fell in the measurement. */
async function whileReadiness<T>(attack: () => Promise<T>) {
  for (let attempt = 0; ; attempt++) {
    const measured = await measure(attack);
    if (!measured.reloaded || attempt >= 3) return measured;
    await new Promise((r) => setTimeout(r, 3_000));
  }
}

/** Sends `events` to a project through /batch/ and waits until every one is stored. */
async function seed(token: string, projectId: number, all: Seeded[], waitMs: number) {
  for (let i = 0; i < all.length; i += PER_REQUEST) {
    const res = await post('/batch/', { api_key: token, batch: all.slice(i, i + PER_REQUEST) }, null);
    if (res.status !== 200) throw new Error(`capture: ${res.status} ${res.text.slice(0, 200)}`);
  }
  const deadline = Date.now() + waitMs;
  while ((await storedCount(projectId)) < all.length) {
    if (Date.now() > deadline) throw new Error(`only ${await storedCount(projectId)} of ${all.length} events stored`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

beforeAll(async () => {
  ctx = await freshProject('query bounds');
  apiKey = (await import('vitest')).inject('service').apiKey;
  await seed(ctx.project.api_token, ctx.project.id, events(), 170_000);
}, 180_000);

const query = (q: Record<string, unknown>, projectId?: number) => () =>
  post(`/api/projects/${projectId ?? ctx.project.id}/query/`, { query: q });

const ATTACKS: [string, () => Promise<Awaited<ReturnType<typeof post>>>, number, string | null][] = [
  [
    'finding 1: weekly_active over -4990d',
    query({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', math: 'weekly_active' }],
      dateRange: { date_from: '-4990d' },
    }),
    200,
    null,
  ],
  [
    'finding 1: monthly_active over -90d by a unique property (31 × 80,000 rows of work)',
    query({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', math: 'monthly_active' }],
      dateRange: { date_from: '-90d' },
      breakdownFilter: { breakdown: 'unique', breakdown_limit: 25 },
    }),
    400,
    'query_too_expensive',
  ],
  [
    'finding 2: hourly over 200 days by a per-event-unique property, breakdown_limit 1000',
    query({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', event: '$pageview' }],
      interval: 'hour',
      dateRange: { date_from: '-200d' },
      breakdownFilter: { breakdown: 'unique', breakdown_limit: 1000 },
    }),
    400,
    'query_too_expensive',
  ],
  [
    'finding 2, accepted: daily dau over -90d by a per-event-unique property, breakdown_limit 1000',
    query({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', math: 'dau' }],
      dateRange: { date_from: '-90d' },
      breakdownFilter: { breakdown: 'unique', breakdown_limit: 1000 },
    }),
    200,
    null,
  ],
  [
    'finding 3: ^(a+)+$ against a planted value',
    query({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode' }],
      dateRange: { date_from: '-90d' },
      properties: [{ key: 'path', value: '^(a+)+$', operator: 'regex', type: 'event' }],
    }),
    200,
    null,
  ],
  [
    'finding 3: 1,000 regex filters',
    query({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode' }],
      dateRange: { date_from: '-90d' },
      properties: {
        type: 'AND',
        values: Array.from({ length: 10 }, (_, g) => ({
          type: 'AND',
          values: Array.from({ length: 100 }, (_, i) => ({
            key: `k${(g * 100 + i) % 30}`,
            value: `x{${i}}`,
            operator: 'regex',
            type: 'event',
          })),
        })),
      },
    }),
    400,
    'query_too_expensive',
  ],
  [
    'finding 4: strict funnel with a hot distinct id',
    query({
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'signup' },
      ],
      dateRange: { date_from: '-90d' },
      funnelsFilter: { funnelOrderType: 'strict' },
    }),
    200,
    null,
  ],
  [
    'finding 4: funnel with an "all events" step',
    query({
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: null },
        { kind: 'EventsNode', event: 'signup' },
      ],
      dateRange: { date_from: 'all' },
    }),
    200,
    null,
  ],
  [
    'finding 5: -999999y',
    query({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode' }], dateRange: { date_from: '-999999y' } }),
    400,
    'invalid_input',
  ],
];

describe('query bounds under wrangler dev', () => {
  const report: string[] = [];

  for (const [name, attack, status, code] of ATTACKS) {
    it(name, async () => {
      const { result, p99, max, samples } = await whileReadiness(attack);
      report.push(
        `${name}: ${result.status} in ${result.ms.toFixed(0)} ms, ${result.bytes} bytes; ` +
          `readiness p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms (${samples} samples)`,
      );
      expect(result.status, result.text.slice(0, 300)).toBe(status);
      if (code) expect(JSON.parse(result.text).code).toBe(code);
      expect(result.bytes).toBeLessThan(16 * 1024 * 1024);
      expect(result.ms).toBeLessThan(20_000);
      expect(samples).toBeGreaterThan(0);
      expect(p99, `readiness p99 while ${name}`).toBeLessThan(READINESS_P99_MS);
    });
  }

  it('report', () => {
    console.log(`[query bounds]\n${report.join('\n')}`);
  });
});

const NULL_LABEL = '$$_posthog_breakdown_null_$$';
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysFrom = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
};
/** The models' range: every event of the big project lies in it (UTC days, as the project's zone). */
const first = () => addDays(today, -(DAYS + 1));
const range = () => ({ date_from: first(), date_to: today });

/** Distinct ids active on each day (each id is its own person: nobody identifies). */
function activeByDay(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of big.events) {
    const day = e.timestamp.slice(0, 10);
    if (!out.has(day)) out.set(day, new Set());
    out.get(day)!.add(e.distinct_id);
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const at = 0.5 * (s.length - 1);
  const lo = Math.floor(at);
  return s[lo]! * (1 - (at - lo)) + (s[lo + 1] ?? s[lo]!) * (at - lo);
}

/** Sunday that starts the week of a day (PostHog's default week). */
const weekOf = (day: string) => addDays(day, -new Date(`${day}T00:00:00Z`).getUTCDay());

interface Result {
  data: number[];
  count: number;
  aggregated_value: number;
  breakdown_value?: string;
  values?: { count: number }[];
}

/** The worst accepted query of each kind over this project, and what a plain model of the seeded events says it answers. */
const WORST: [string, () => Record<string, unknown>, (answer: Record<string, unknown>) => void][] = [
  [
    'trends: weekly active users per day over every event (8 rows of work each)',
    () => ({ kind: 'TrendsQuery', series: [{ kind: 'EventsNode', math: 'weekly_active' }], dateRange: range() }),
    (answer) => {
      const byDay = activeByDay();
      const expected = daysFrom(first(), today).map((day) => {
        const users = new Set<string>();
        for (let k = 0; k < 7; k++) for (const u of byDay.get(addDays(day, -k)) ?? []) users.add(u);
        return users.size;
      });
      expect((answer.results as Result[])[0]!.data).toEqual(expected);
    },
  ],
  [
    'trends: daily dau by a per-event-unique property, breakdown_limit 1000 (rows read, sets merged)',
    () => ({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', math: 'dau' }],
      dateRange: range(),
      breakdownFilter: { breakdown: 'unique', breakdown_limit: 1000 },
    }),
    (answer) => {
      const days = daysFrom(first(), today);
      const sets = new Map<string, Map<string, Set<string>>>();
      for (const e of big.events) {
        const value = e.properties?.unique ?? NULL_LABEL;
        if (!sets.has(value)) sets.set(value, new Map());
        const byDay = sets.get(value)!;
        const day = e.timestamp.slice(0, 10);
        if (!byDay.has(day)) byDay.set(day, new Set());
        byDay.get(day)!.add(e.distinct_id);
      }
      const data = (value: string) => days.map((d) => sets.get(value)?.get(d)?.size ?? 0);
      const totals = new Map([...sets].map(([v, byDay]) => [v, [...byDay.values()].reduce((n, u) => n + u.size, 0)]));
      // Values are ASCII here: JavaScript's order is SQLite's.
      const ranked = [...sets.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || (a < b ? -1 : 1));
      const kept = ranked.slice(0, 1000);
      const other = days.map(() => 0);
      for (const value of ranked.slice(1000)) {
        for (const [day, users] of sets.get(value)!) {
          const i = days.indexOf(day);
          if (i >= 0) other[i]! += users.size;
        }
      }
      const results = answer.results as Result[];
      expect(results.length).toBe(1001);
      const byValue = new Map(results.map((r) => [String(r.breakdown_value), r.data]));
      for (const value of kept) expect(byValue.get(value), value).toEqual(data(value));
      expect(byValue.get('$$_posthog_breakdown_other_$$')).toEqual(other);
    },
  ],
  [
    'trends: median of a property over the whole range, as one number (values gathered)',
    () => ({
      kind: 'TrendsQuery',
      series: [{ kind: 'EventsNode', math: 'median', math_property: 'amount' }],
      trendsFilter: { display: 'BoldNumber' },
      dateRange: range(),
    }),
    (answer) => {
      const amounts = big.events.flatMap((e) => (e.properties ? [e.properties.amount] : []));
      expect((answer.results as Result[])[0]!.aggregated_value).toBeCloseTo(median(amounts), 9);
    },
  ],
  [
    'funnels: strict, every event of every person walked (the hot distinct id too)',
    () => ({
      kind: 'FunnelsQuery',
      series: [
        { kind: 'EventsNode', event: '$pageview' },
        { kind: 'EventsNode', event: 'signup' },
      ],
      dateRange: range(),
      funnelsFilter: { funnelOrderType: 'strict' },
    }),
    (answer) => {
      const byUser = new Map<string, Seeded[]>();
      for (const e of big.events) {
        if (!byUser.has(e.distinct_id)) byUser.set(e.distinct_id, []);
        byUser.get(e.distinct_id)!.push(e);
      }
      let started = 0;
      let converted = 0;
      for (const list of byUser.values()) {
        const sorted = list.sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
        if (sorted.some((e) => e.event === '$pageview')) started++;
        // Strict: a signup right after a pageview (no event between), within the 14-day window.
        const pair = sorted.some(
          (e, i) =>
            e.event === '$pageview' &&
            sorted[i + 1]?.event === 'signup' &&
            Date.parse(sorted[i + 1]!.timestamp) - Date.parse(e.timestamp) <= 14 * DAY,
        );
        if (pair) converted++;
      }
      expect((answer.results as Result[]).map((s) => s.count)).toEqual([started, converted]);
    },
  ],
  [
    'retention: 8 weekly cohorts of signups, returning on any event',
    () => ({
      kind: 'RetentionQuery',
      dateRange: { date_to: today },
      retentionFilter: {
        period: 'Week',
        totalIntervals: 8,
        targetEntity: { id: 'signup', type: 'events' },
        returningEntity: { id: null, type: 'events' },
      },
    }),
    (answer) => {
      const weeks = Array.from({ length: 8 }, (_, i) => addDays(weekOf(today), -7 * (7 - i)));
      const target = weeks.map(() => new Set<string>());
      const returned = weeks.map(() => new Set<string>());
      for (const e of big.events) {
        const w = weeks.indexOf(weekOf(e.timestamp.slice(0, 10)));
        if (w < 0) continue;
        returned[w]!.add(e.distinct_id);
        if (e.event === 'signup') target[w]!.add(e.distinct_id);
      }
      const expected = weeks.map((_, i) =>
        Array.from(
          { length: 8 - i },
          (_, j) => [...target[i]!].filter((u) => j === 0 || returned[i + j]!.has(u)).length,
        ),
      );
      expect((answer.results as Result[]).map((r) => r.values!.map((v) => v.count))).toEqual(expected);
    },
  ],
  [
    'events: counted per event name over all time',
    () => ({ kind: 'EventsQuery', select: ['event', 'count()'], after: 'all' }),
    (answer) => {
      const counts = new Map<string, number>();
      for (const e of big.events) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
      expect(answer.results).toEqual([...counts].sort((a, b) => b[1] - a[1]));
    },
  ],
  [
    'events: the newest 100 with a property value, over all time',
    () => ({
      kind: 'EventsQuery',
      select: ['timestamp', 'distinct_id'],
      after: 'all',
      properties: [{ key: 'path', value: '/p/7', operator: 'exact', type: 'event' }],
      limit: 100,
    }),
    (answer) => {
      const expected = big.events
        .filter((e) => e.properties?.path === '/p/7')
        .sort((a, b) => (a.timestamp < b.timestamp ? 1 : -1))
        .slice(0, 100)
        .map((e) => [e.timestamp, e.distinct_id]);
      expect(answer.results).toEqual(expected);
    },
  ],
  [
    'actors: the persons behind one day of weekly active users',
    () => ({
      kind: 'ActorsQuery',
      source: {
        kind: 'InsightActorsQuery',
        source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', math: 'weekly_active' }], dateRange: range() },
        day: addDays(today, -10),
      },
      select: ['id'],
      limit: 10_000,
    }),
    (answer) => {
      const byDay = activeByDay();
      const users = new Set<string>();
      for (let k = 0; k < 7; k++) for (const u of byDay.get(addDays(today, -10 - k)) ?? []) users.add(u);
      expect((answer.results as unknown[]).length + Number(answer.missing_actors_count)).toBe(users.size);
    },
  ],
];

describe('the worst accepted query of each kind answers as the model says while /_readiness stays prompt', () => {
  const report: string[] = [];

  beforeAll(async () => {
    const project = await ctx.rest.createProject('e2e query bounds, worst accepted');
    const now = Date.now();
    today = new Date(now).toISOString().slice(0, 10);
    big = { projectId: project.id, events: spread(BIG_EVENTS, BIG_USERS, now) };
    await seed(project.api_token, project.id, big.events, 280_000);
  }, 300_000);

  for (const [name, q, check] of WORST) {
    it(name, async () => {
      const { result, p99, max, samples } = await whileReadiness(query(q(), big.projectId));
      report.push(
        `${name}: ${result.status} in ${result.ms.toFixed(0)} ms, ${result.bytes} bytes; ` +
          `readiness p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms (${samples} samples)`,
      );
      expect(result.status, result.text.slice(0, 300)).toBe(200);
      check(JSON.parse(result.text) as Record<string, unknown>);
      expect(samples).toBeGreaterThan(1);
      expect(p99, `readiness p99 while ${name}`).toBeLessThan(READINESS_P99_MS);
    });
  }

  it('HogQL: daily unique persons over the range, one statement (reported, not sliced)', async () => {
    const hogql = {
      kind: 'HogQLQuery',
      query: `SELECT toStartOfDay(timestamp) AS day, count(DISTINCT person_id) FROM events WHERE timestamp >= '${first()}' GROUP BY day ORDER BY day`,
    };
    const { result, p99, max, samples } = await whileReadiness(query(hogql, big.projectId));
    report.push(
      `HogQL (one statement): ${result.status} in ${result.ms.toFixed(0)} ms; ` +
        `readiness p99 ${p99.toFixed(0)} ms, max ${max.toFixed(0)} ms (${samples} samples)`,
    );
    expect(result.status, result.text.slice(0, 300)).toBe(200);
    const byDay = activeByDay();
    const expected = [...byDay.keys()].sort().map((day) => [day, byDay.get(day)!.size]);
    const rows = (JSON.parse(result.text).results as [string, number][]).map(([day, n]) => [day.slice(0, 10), n]);
    expect(rows).toEqual(expected);
    // Answered meanwhile, at worst once the statement ends (docs/guarantees.md).
    expect(max).toBeLessThan(result.ms + 2_000);
  });

  it('report', () => {
    console.log(`[readiness while the worst accepted queries run]\n${report.join('\n')}`);
  });
});
