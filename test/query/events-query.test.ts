import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery, query } from './helpers';
import { generateWorld, matches, personOf, seedWorld, textOf, type World } from './world';

let projectId: number;
let world: World;
const AFTER = '2024-03-05T00:00:00Z';
const BEFORE = '2024-03-12T12:00:00Z';

beforeAll(async () => {
  projectId = (await newProject('events query')).id;
  world = generateWorld({ seed: 5, users: 50, start: Date.UTC(2024, 2, 1), days: 20, eventsPerUser: 8 });
  await seedWorld(projectId, world);
});

interface Answer {
  columns: string[];
  types: string[];
  results: unknown[][];
  hasMore: boolean;
}

const inWindow = () =>
  world.events.filter((e) => e.timestamp > '2024-03-05T00:00:00.000Z' && e.timestamp < '2024-03-12T12:00:00.000Z');
const newestFirst = <T extends { timestamp: string; uuid: string }>(xs: T[]) =>
  [...xs].sort((a, b) =>
    a.timestamp === b.timestamp ? (a.uuid < b.uuid ? 1 : -1) : a.timestamp < b.timestamp ? 1 : -1,
  );

describe('EventsQuery', () => {
  it('pages through "*" newest first, each event with the person it belongs to now', async () => {
    const expected = newestFirst(inWindow().filter((e) => e.event === 'signup'));
    expect(expected.length).toBeGreaterThan(30);
    const seen: Record<string, unknown>[] = [];
    for (let offset = 0; offset < expected.length + 20; offset += 20) {
      const answer = await query<Answer>(projectId, {
        kind: 'EventsQuery',
        select: ['*'],
        event: 'signup',
        after: AFTER,
        before: BEFORE,
        limit: 20,
        offset,
      });
      seen.push(...answer.results.map((r) => r[0] as Record<string, unknown>));
      expect(answer.hasMore).toBe(offset + 20 < expected.length);
      if (!answer.hasMore) break;
    }
    expect(seen.map((r) => r.uuid)).toEqual(expected.map((e) => e.uuid));
    expect(seen.map((r) => r.person_id)).toEqual(expected.map((e) => personOf(world, e)));
    expect(seen.map((r) => Date.parse(r.timestamp as string))).toEqual(expected.map((e) => Date.parse(e.timestamp)));
    expect(seen[0]!.properties).toEqual(expected[0]!.properties);
  });

  it('selects columns and property values, with tricky keys, in the project timezone', async () => {
    const select = [
      'uuid',
      'event',
      'timestamp',
      'distinct_id',
      'person_id',
      'properties.$browser',
      'properties.x"y',
      "properties.'; DROP TABLE events; --",
      'properties.a.b',
      'person.properties.plan',
    ];
    const answer = await query<Answer>(
      projectId,
      {
        kind: 'EventsQuery',
        select,
        after: AFTER,
        before: BEFORE,
        orderBy: ['timestamp ASC'],
        limit: 10_000,
        properties: [{ key: 'amount', operator: 'gt', value: 100 }],
      },
      'America/New_York',
    );
    const expected = newestFirst(
      inWindow().filter((e) => matches(world, e, { key: 'amount', operator: 'gt', value: 100, type: 'event' })),
    ).reverse();
    expect(answer.columns).toEqual(select);
    expect(answer.types.slice(0, 3)).toEqual(['UUID', 'String', "DateTime64(6, 'UTC')"]);
    expect(answer.results.map((r) => r[0])).toEqual(expected.map((e) => e.uuid));
    expect(answer.results.map((r) => r.slice(3))).toEqual(
      expected.map((e) => [
        e.distinctId,
        personOf(world, e),
        textOf(e.properties.$browser),
        textOf(e.properties['x"y']),
        textOf(e.properties["'; DROP TABLE events; --"]),
        textOf(e.properties['a.b']),
        textOf(world.personProps.get(personOf(world, e))?.plan),
      ]),
    );
    expect(answer.results[0]![2]).toMatch(/-0[45]:00$/);
  });

  it('aggregates: count(), min and max of timestamp per person', async () => {
    const answer = await query<Answer>(projectId, {
      kind: 'EventsQuery',
      select: ['person_id', 'count()', 'min(timestamp)', 'max(timestamp)'],
      after: AFTER,
      before: BEFORE,
      properties: [{ key: '$browser', operator: 'exact', value: 'Chrome' }],
      limit: 10_000,
    });
    const byPerson = new Map<string, string[]>();
    for (const e of inWindow().filter((e) => e.properties.$browser === 'Chrome'))
      byPerson.set(personOf(world, e), [...(byPerson.get(personOf(world, e)) ?? []), e.timestamp]);
    const expected = [...byPerson].map(([p, ts]) => [p, ts.length, Date.parse(ts.sort()[0]!), Date.parse(ts.at(-1)!)]);
    const actual = answer.results.map((r) => [r[0], r[1], Date.parse(r[2] as string), Date.parse(r[3] as string)]);
    const byId = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(actual.sort(byId)).toEqual(expected.sort(byId));
    // Default order: the first aggregate, descending.
    const counts = answer.results.map((r) => r[1] as number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('counts events per name', async () => {
    const answer = await query<Answer>(projectId, {
      kind: 'EventsQuery',
      select: ['event', 'count()'],
      after: AFTER,
      before: BEFORE,
      orderBy: ['event ASC'],
    });
    const expected = new Map<string, number>();
    for (const e of inWindow()) expected.set(e.event, (expected.get(e.event) ?? 0) + 1);
    expect(answer.results).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)));
  });

  it('refuses columns outside the vocabulary, where clauses that do not compile and "*" with aggregates', async () => {
    for (const [body, attr] of [
      [{ kind: 'EventsQuery', select: ['sum(properties.amount)'] }, 'query.select.0'],
      [{ kind: 'EventsQuery', select: ['event', 'event; DROP TABLE events'] }, 'query.select.1'],
      [{ kind: 'EventsQuery', select: ['*'], where: ['1 = 1', 'count() > 1'] }, 'query.where.1'],
      [{ kind: 'EventsQuery', select: ['*', 'count()'] }, 'query.select.0'],
      [{ kind: 'EventsQuery', select: ['event'], orderBy: ['random()'] }, 'query.orderBy.0'],
      [{ kind: 'EventsQuery', select: ['event'], limit: 100_000 }, 'query.limit'],
      [{ kind: 'EventsQuery', select: ['event'], after: 'tomorrow' }, 'query.after'],
    ] as const) {
      const res = await postQuery(projectId, { query: body });
      const json = (await res.json()) as { attr: string };
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(json.attr).toBe(attr);
    }
  });
});
