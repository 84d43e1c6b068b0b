// The plans that make HogQL as fast as the TrendsQuery answer what the model and the general forms say:
// the distinct-persons plan (src/hogql/compile-person-plan.ts) for daily unique persons in a zone,
// person-property keys, person-level WHERE and HAVING, positions, no GROUP BY; and truncations of the
// stored UTC timestamp read as prefixes of its text (storedUtcPrefix in src/hogql/compile-time.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { query, setTimezone } from '../query/helpers';
import {
  generateWorld,
  personOf,
  personPropsOf,
  seedWorld,
  textOf,
  wallClock,
  type World,
  type WorldEvent,
} from '../query/world';

let projectId: number;
let world: World;
const FROM = '2024-03-03T00:00:00.000Z';
const TO = '2024-03-17T00:00:00.000Z';
const range = `timestamp >= '2024-03-03T00:00:00Z' AND timestamp < '2024-03-17T00:00:00Z'`;

beforeAll(async () => {
  projectId = (await newProject('hogql person plan')).id;
  world = generateWorld({ seed: 23, users: 50, start: Date.UTC(2024, 2, 1), days: 20, eventsPerUser: 8 });
  await seedWorld(projectId, world);
});

const hogql = (q: string) =>
  query<{ results: unknown[][]; columns: string[] }>(projectId, { kind: 'HogQLQuery', query: q });
const inRange = () => world.events.filter((e) => e.timestamp >= FROM && e.timestamp < TO);

/** Distinct persons per key, sorted by key (nulls first, as SQLite orders them). */
function uniques(events: WorldEvent[], key: (e: WorldEvent) => string | null): [string | null, number][] {
  const m = new Map<string | null, Set<string>>();
  for (const e of events) m.set(key(e), (m.get(key(e)) ?? new Set()).add(personOf(world, e)));
  return [...m]
    .map(([k, s]) => [k, s.size] as [string | null, number])
    .sort(([a], [b]) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
}

describe('HogQL distinct-persons plan against the model', () => {
  it('counts daily unique persons in a non-UTC zone, as count(DISTINCT person_id) and uniq(person.id)', async () => {
    const timezone = 'America/New_York';
    await setTimezone(projectId, timezone);
    try {
      const answer = await hogql(
        `SELECT toDate(timestamp) AS day, count(DISTINCT person_id) AS dau, uniq(person.id) FROM events
         WHERE event = '$pageview' AND ${range} GROUP BY day ORDER BY day`,
      );
      const expected = uniques(
        inRange().filter((e) => e.event === '$pageview'),
        (e) => wallClock(Date.parse(e.timestamp), timezone).date,
      );
      expect(answer.results).toEqual(expected.map(([d, n]) => [d, n, n]));
      expect(answer.columns).toEqual(['day', 'dau', 'uniq(person.id)']);
    } finally {
      await setTimezone(projectId, 'UTC');
    }
  });

  it('groups by an event property and a person property together', async () => {
    const answer = await hogql(
      `SELECT properties.$browser AS browser, person.properties.plan AS plan, uniq(person_id) FROM events
       WHERE ${range} GROUP BY browser, plan ORDER BY browser, plan`,
    );
    const key = (e: WorldEvent) =>
      JSON.stringify([textOf(e.properties.$browser), textOf(personPropsOf(world, e).plan)]);
    const expected = uniques(inRange(), key)
      .map(([k, n]) => [...(JSON.parse(k!) as (string | null)[]), n])
      .sort((a, b) => JSON.stringify(a.slice(0, 2)).localeCompare(JSON.stringify(b.slice(0, 2))));
    const got = [...answer.results].sort((a, b) =>
      JSON.stringify(a.slice(0, 2)).localeCompare(JSON.stringify(b.slice(0, 2))),
    );
    expect(got).toEqual(expected);
  });

  it('filters on person properties in WHERE and on the count in HAVING', async () => {
    const answer = await hogql(
      `SELECT event, uniq(person_id) AS u FROM events
       WHERE ${range} AND person.properties.plan = 'pro' GROUP BY 1 HAVING u >= 2 ORDER BY 2 DESC, 1`,
    );
    const expected = uniques(
      inRange().filter((e) => textOf(personPropsOf(world, e).plan) === 'pro'),
      (e) => e.event,
    )
      .filter(([, n]) => n >= 2)
      .sort((a, b) => b[1] - a[1] || (a[0]! < b[0]! ? -1 : 1));
    expect(answer.results).toEqual(expected);
    expect(answer.results.length).toBeGreaterThan(0);
  });

  it('counts distinct persons of the whole range without GROUP BY', async () => {
    const answer = await hogql(
      `SELECT count(DISTINCT person_id), uniq(person.properties.plan) FROM events WHERE ${range}`,
    );
    const persons = new Set(inRange().map((e) => personOf(world, e)));
    const plans = new Set(
      inRange()
        .map((e) => textOf(personPropsOf(world, e).plan))
        .filter((p) => p !== null),
    );
    expect(answer.results).toEqual([[persons.size, plans.size]]);
  });
});

describe('truncations of the stored timestamp in UTC', () => {
  it('equal the general date conversions for every unit', async () => {
    // `timestamp + INTERVAL 0 SECOND` is no longer the bare column: it takes the general path.
    const units = ['Second', 'Minute', 'Hour', 'Day', 'Month', 'Year'];
    const same = units.map((u) => `countIf(toStartOf${u}(timestamp) = toStartOf${u}(timestamp + INTERVAL 0 SECOND))`);
    const answer = await hogql(
      `SELECT count(), countIf(toDate(timestamp) = toDate(timestamp + INTERVAL 0 SECOND)), ${same.join(', ')},
         min(toStartOfHour(timestamp)), min(toStartOfMonth(timestamp)) FROM events`,
    );
    const row = answer.results[0]!;
    expect(row.slice(1, 8)).toEqual(Array(7).fill(world.events.length));
    const first = world.events.map((e) => e.timestamp).sort()[0]!;
    expect(row.slice(8)).toEqual([`${first.slice(0, 13)}:00:00.000Z`, `${first.slice(0, 7)}-01`]);
  });
});
