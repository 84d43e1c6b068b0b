import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery, query, setTimezone } from './helpers';
import { generateWorld, personOf, personPropsOf, quantile, seedWorld, textOf, wallClock, type World } from './world';

let projectId: number;
let world: World;
const FROM = '2024-03-03T00:00:00.000Z';
const TO = '2024-03-17T00:00:00.000Z';

beforeAll(async () => {
  projectId = (await newProject('hogql query')).id;
  world = generateWorld({ seed: 13, users: 60, start: Date.UTC(2024, 2, 1), days: 20, eventsPerUser: 8 });
  await seedWorld(projectId, world);
});

interface Answer {
  columns: string[];
  types: [string, string][];
  results: unknown[][];
  hasMore?: boolean;
  hogql: string;
  limit?: number;
}

const hogql = (q: string, extra: Record<string, unknown> = {}) =>
  query<Answer>(projectId, { kind: 'HogQLQuery', query: q, ...extra });
const inRange = () => world.events.filter((e) => e.timestamp >= FROM && e.timestamp < TO);
const countBy = <T>(xs: T[], key: (x: T) => string | null) => {
  const m = new Map<string | null, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return m;
};
const uniqueBy = <T>(xs: T[], key: (x: T) => string | null, who: (x: T) => string) => {
  const m = new Map<string | null, Set<string>>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? new Set()).add(who(x)));
  return new Map([...m].map(([k, s]) => [k, s.size]));
};
const range = `timestamp >= '2024-03-03T00:00:00Z' AND timestamp < '2024-03-17T00:00:00Z'`;

describe('HogQLQuery against the model', () => {
  it('counts events by name, ordered by count', async () => {
    const answer = await hogql(
      `SELECT event, count() AS c FROM events WHERE ${range} GROUP BY event ORDER BY c DESC, event`,
    );
    const expected = [...countBy(inRange(), (e) => e.event)].sort((a, b) => b[1] - a[1] || (a[0]! < b[0]! ? -1 : 1));
    expect(answer.results).toEqual(expected);
    expect(answer.columns).toEqual(['event', 'c']);
    expect(answer.types).toEqual([
      ['event', 'String'],
      ['c', 'UInt64'],
    ]);
    expect(answer.hasMore).toBe(false);
  });

  it('counts unique persons through merges (anonymous events count under who signed in later)', async () => {
    const answer = await hogql(`SELECT count(DISTINCT person_id), uniq(person_id), count() FROM events WHERE ${range}`);
    const persons = new Set(inRange().map((e) => personOf(world, e)));
    expect(answer.results).toEqual([[persons.size, persons.size, inRange().length]]);
  });

  it('groups by an event property, missing values as NULL', async () => {
    const answer = await hogql(
      `SELECT properties.$browser AS browser, count() AS c, uniq(person_id) AS u FROM events WHERE ${range} GROUP BY browser ORDER BY browser`,
    );
    const counts = countBy(inRange(), (e) => textOf(e.properties.$browser));
    const uniques = uniqueBy(
      inRange(),
      (e) => textOf(e.properties.$browser),
      (e) => personOf(world, e),
    );
    const expected = [...counts.keys()]
      .sort((a, b) => (a === null ? -1 : b === null ? 1 : a < b ? -1 : 1))
      .map((k) => [k, counts.get(k), uniques.get(k)]);
    expect(answer.results).toEqual(expected);
  });

  it('reads IS [NOT] NULL and = / != NULL as isNull / isNotNull, as PostHog prints them', async () => {
    const answer = await hogql(
      `SELECT countIf(properties.$browser IS NULL), countIf(properties.$browser IS NOT NULL),
        countIf(properties.$browser = NULL), countIf(properties.$browser != NULL), countIf(NULL != properties.$browser)
       FROM events WHERE ${range}`,
    );
    const missing = inRange().filter((e) => textOf(e.properties.$browser) === null).length;
    const present = inRange().length - missing;
    expect(present).toBeGreaterThan(0);
    expect(missing).toBeGreaterThan(0);
    expect(answer.results).toEqual([[missing, present, missing, present, present]]);
  });

  it('reads person properties of the person now, tricky keys included', async () => {
    const answer = await hogql(
      `SELECT person.properties.plan AS plan, person.properties.\`x"y\` AS xy, count() FROM events WHERE ${range} GROUP BY plan, xy`,
    );
    const key = (e: (typeof world.events)[number]) =>
      JSON.stringify([textOf(personPropsOf(world, e).plan), textOf(personPropsOf(world, e)['x"y'])]);
    const expected = countBy(inRange(), key);
    const got = new Map(answer.results.map((r) => [JSON.stringify([r[0], r[1]]), r[2]]));
    expect(got).toEqual(expected);
  });

  for (const timezone of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
    it(`buckets daily in the project's time zone (${timezone})`, async () => {
      await setTimezone(projectId, timezone);
      try {
        const answer = await hogql(
          `SELECT toDate(timestamp) AS day, toStartOfDay(timestamp) AS start, count() AS c, uniq(person_id)
           FROM events WHERE event = '$pageview' AND ${range} GROUP BY day, start ORDER BY day`,
        );
        const pageviews = inRange().filter((e) => e.event === '$pageview');
        const dayOf = (e: (typeof pageviews)[number]) => wallClock(Date.parse(e.timestamp), timezone).date;
        const counts = countBy(pageviews, dayOf);
        const uniques = uniqueBy(pageviews, dayOf, (e) => personOf(world, e));
        const days = [...counts.keys()].sort();
        expect(answer.results.map((r) => [r[0], r[2], r[3]])).toEqual(
          days.map((d) => [d, counts.get(d), uniques.get(d)]),
        );
        for (const row of answer.results) {
          const start = Date.parse(String(row[1]));
          const w = wallClock(start, timezone);
          expect([w.hour, w.minute, w.date]).toEqual(['00', '00', row[0]]);
        }
        expect(answer.types[1]).toEqual(['start', `DateTime64(6, '${timezone}')`]);
      } finally {
        await setTimezone(projectId, 'UTC');
      }
    });
  }

  it('answers subqueries in FROM and IN', async () => {
    const answer = await hogql(
      `SELECT count() AS users FROM (SELECT person_id, count() AS n FROM events WHERE ${range} GROUP BY person_id HAVING n >= 3)
       WHERE person_id IN (SELECT person_id FROM events WHERE event = 'purchase' AND ${range})`,
    );
    const perPerson = countBy(inRange(), (e) => personOf(world, e));
    const buyers = new Set(
      inRange()
        .filter((e) => e.event === 'purchase')
        .map((e) => personOf(world, e)),
    );
    const expected = [...perPerson].filter(([p, n]) => n >= 3 && buyers.has(p!)).length;
    expect(answer.results).toEqual([[expected]]);
  });

  it('computes sums, averages and quantiles of numeric properties as ClickHouse', async () => {
    const answer = await hogql(
      `SELECT sum(toFloat(properties.amount)), median(properties.amount), quantile(0.9)(properties.amount),
        countIf(event = 'purchase'), sumIf(1, properties.$browser = 'Chrome') FROM events WHERE ${range}`,
    );
    const nums = inRange()
      .map((e) => e.properties.amount)
      .flatMap((v) =>
        typeof v === 'number'
          ? [v]
          : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
            ? [Number(v)]
            : [],
      );
    const [sum, median, p90, purchases, chrome] = answer.results[0] as number[];
    expect(sum).toBeCloseTo(
      nums.reduce((a, b) => a + b, 0),
      6,
    );
    expect(median).toBeCloseTo(quantile(nums, 0.5), 9);
    expect(p90).toBeCloseTo(quantile(nums, 0.9), 9);
    expect(purchases).toBe(inRange().filter((e) => e.event === 'purchase').length);
    expect(chrome).toBe(inRange().filter((e) => e.properties.$browser === 'Chrome').length);
  });

  it('fills {filters} and {values}, pages with PostHog default limit', async () => {
    const answer = await hogql('SELECT uuid FROM events WHERE {filters} AND event = {name} ORDER BY timestamp, uuid', {
      filters: {
        dateRange: { date_from: '2024-03-03', date_to: '2024-03-17' },
        properties: [{ key: '$browser', value: 'Firefox', operator: 'exact', type: 'event' }],
      },
      values: { name: 'signup' },
    });
    const expected = inRange()
      .filter((e) => e.event === 'signup' && e.properties.$browser === 'Firefox')
      .sort((a, b) => (a.timestamp === b.timestamp ? (a.uuid < b.uuid ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
    expect(answer.results.map((r) => r[0])).toEqual(expected.slice(0, 100).map((e) => e.uuid));
    expect([answer.limit, answer.hasMore]).toEqual([100, expected.length > 100]);
    expect(answer.hogql).toContain('LIMIT 100');
  });
});

describe('HogQLQuery errors', () => {
  const bad = async (q: string) => {
    const res = await postQuery(projectId, { query: { kind: 'HogQLQuery', query: q } });
    const body = (await res.json()) as { type: string; code: string; detail: string; attr: string };
    return { status: res.status, ...body };
  };

  it('refuses other tables, ";", unknown functions and syntax errors with a 400 naming them', async () => {
    for (const [q, words] of [
      ['SELECT * FROM person_distinct_ids', 'Unknown table'],
      ['SELECT * FROM sqlite_master', 'Unknown table'],
      ['SELECT 1; DELETE FROM events', ''],
      ['SELECT 1;', '";" is not allowed'],
      ['SELECT hack(1) FROM events', 'Unknown function hack'],
      ['SELECT FROM events', ''],
      ['SELECT e.project_id FROM events e', 'Unknown field'],
    ] as const) {
      const answer = await bad(q);
      expect([q, answer.status, answer.type]).toEqual([q, 400, 'validation_error']);
      expect(answer.detail).toContain(words);
      expect(answer.attr).toBe('query.query');
    }
  });
});

describe('EventsQuery where (HogQL expressions)', () => {
  it('filters events by event and person properties through the compiler', async () => {
    const answer = await query<Answer>(projectId, {
      kind: 'EventsQuery',
      select: ['uuid'],
      after: '2024-03-03T00:00:00Z',
      before: '2024-03-17T00:00:00Z',
      where: ["properties.$browser = 'Chrome'", "person.properties.plan IN ('pro', 'team')"],
      limit: 10_000,
    });
    const expected = inRange().filter(
      (e) => e.properties.$browser === 'Chrome' && ['pro', 'team'].includes(String(personPropsOf(world, e).plan)),
    );
    expect(new Set(answer.results.map((r) => r[0]))).toEqual(new Set(expected.map((e) => e.uuid)));
  });

  it('is a 400 naming the expression that does not compile', async () => {
    const res = await postQuery(projectId, {
      query: { kind: 'EventsQuery', select: ['uuid'], where: ['event = 1', 'nope(1)'] },
    });
    const body = (await res.json()) as { attr: string; detail: string };
    expect([res.status, body.attr]).toEqual([400, 'query.where.1']);
    expect(body.detail).toContain('Unknown function nope');
  });
});
