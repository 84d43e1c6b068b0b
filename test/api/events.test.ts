import {
  api,
  at,
  getJson,
  newProject,
  pathOf,
  seedEvents,
  seedPerson,
  type EventJson,
  type PageJson,
} from '../support';
import { describe, expect, it } from 'vitest';

type Page = PageJson<EventJson>;

const eventsPath = (projectId: number, query: Record<string, string> = {}) => {
  const qs = new URLSearchParams(query).toString();
  return `/api/projects/${projectId}/events/${qs ? `?${qs}` : ''}`;
};
const list = (projectId: number, query: Record<string, string> = {}) => getJson<Page>(eventsPath(projectId, query));
const idsOf = (page: Page) => page.results.map((e) => e.id);

describe('GET events/', () => {
  it('returns events newest first in the documented shape, person resolved at read time', async () => {
    const { id: projectId } = await newProject();
    const person = await seedPerson(projectId, { distinctIds: ['anon', 'user'] });
    const ingestedAs = crypto.randomUUID();
    const [older, newer, personless] = await seedEvents(projectId, [
      {
        distinctId: 'anon',
        event: '$pageview',
        personIdAtIngest: crypto.randomUUID(),
        properties: { $current_url: 'https://x.test/' },
        timestamp: at(1),
      },
      {
        distinctId: 'user',
        event: 'signed up',
        personIdAtIngest: person,
        properties: { plan: 'pro' },
        timestamp: at(2),
      },
      { distinctId: 'nobody', event: '$pageview', personIdAtIngest: ingestedAs, timestamp: at(0) },
    ]);
    expect(await list(projectId)).toEqual({
      results: [
        {
          id: newer,
          event: 'signed up',
          distinct_id: 'user',
          properties: { plan: 'pro' },
          timestamp: at(2),
          person_id: person,
        },
        {
          id: older,
          event: '$pageview',
          distinct_id: 'anon',
          properties: { $current_url: 'https://x.test/' },
          timestamp: at(1),
          person_id: person,
        },
        {
          id: personless,
          event: '$pageview',
          distinct_id: 'nobody',
          properties: {},
          timestamp: at(0),
          person_id: ingestedAs,
        },
      ],
      next: null,
    });
  });

  it('orders events with the same timestamp by uuid, descending', async () => {
    const { id: projectId } = await newProject();
    const uuids = await seedEvents(
      projectId,
      Array.from({ length: 4 }, () => ({ distinctId: 'd', timestamp: at(1) })),
    );
    expect(idsOf(await list(projectId))).toEqual([...uuids].sort().reverse());
  });

  it('filters by person_id through the current distinct ids (merged-away ids included)', async () => {
    const { id: projectId } = await newProject();
    // "anon" was merged into the person: its old events were stored with another person id.
    const person = await seedPerson(projectId, { distinctIds: ['user', 'anon'] });
    const other = await seedPerson(projectId, { distinctIds: ['someone'] });
    const [e1, e2] = await seedEvents(projectId, [
      { distinctId: 'anon', personIdAtIngest: crypto.randomUUID(), timestamp: at(1) },
      { distinctId: 'user', personIdAtIngest: person, timestamp: at(2) },
      { distinctId: 'someone', personIdAtIngest: person, timestamp: at(3) },
    ]);
    const page = await list(projectId, { person_id: person });
    expect(idsOf(page)).toEqual([e2, e1]);
    expect(page.results.every((e) => e.person_id === person)).toBe(true);
    expect(idsOf(await list(projectId, { person_id: person.toUpperCase() }))).toEqual([e2, e1]);
    expect((await list(projectId, { person_id: other })).results.map((e) => e.distinct_id)).toEqual(['someone']);
  });

  it('filters by person_id only through persons that exist in the project', async () => {
    const { id: projectId } = await newProject();
    const pseudo = crypto.randomUUID();
    // Person-less events carry a person id with no person row behind it: like PostHog, no person, no events.
    await seedEvents(projectId, [{ distinctId: 'no-person', personIdAtIngest: pseudo, timestamp: at(1) }]);
    expect((await list(projectId)).results.map((e) => e.person_id)).toEqual([pseudo]);
    expect(await list(projectId, { person_id: pseudo })).toEqual({ results: [], next: null });
    expect(await list(projectId, { person_id: crypto.randomUUID() })).toEqual({ results: [], next: null });
  });

  it('filters by distinct_id, event, after and before (exclusive), combined', async () => {
    const { id: projectId } = await newProject();
    const [a1, a2, b1, a3] = await seedEvents(projectId, [
      { distinctId: 'a', event: '$pageview', timestamp: at(1) },
      { distinctId: 'a', event: 'clicked', timestamp: at(2) },
      { distinctId: 'b', event: 'clicked', timestamp: at(3) },
      { distinctId: 'a', event: '$pageview', timestamp: at(4) },
    ]);
    expect(idsOf(await list(projectId, { distinct_id: 'a' }))).toEqual([a3, a2, a1]);
    expect(idsOf(await list(projectId, { event: 'clicked' }))).toEqual([b1, a2]);
    expect(idsOf(await list(projectId, { after: at(1) }))).toEqual([a3, b1, a2]);
    expect(idsOf(await list(projectId, { before: at(3) }))).toEqual([a2, a1]);
    expect(idsOf(await list(projectId, { after: at(1), before: at(4) }))).toEqual([b1, a2]);
    expect(idsOf(await list(projectId, { distinct_id: 'a', event: '$pageview', before: at(4) }))).toEqual([a1]);
    // other ISO forms are normalised: an offset, a bare date
    expect(idsOf(await list(projectId, { after: '2024-01-01T01:01:00+01:00' }))).toEqual([a3, b1, a2]);
    expect(idsOf(await list(projectId, { before: '2024-01-01' }))).toEqual([]);
    expect(idsOf(await list(projectId, { after: '2024-01-01' }))).toEqual([a3, b1, a2, a1]);
  });

  it('pages with a cursor in next, across equal timestamps, keeping the filters', async () => {
    const { id: projectId } = await newProject();
    const seeded = await seedEvents(projectId, [
      ...Array.from({ length: 5 }, (_, i) => ({ distinctId: 'p', event: 'e', timestamp: at(i % 3) })),
      { distinctId: 'p', event: 'other', timestamp: at(9) },
    ]);
    const stamp = new Map(seeded.map((uuid, i) => [uuid, i < 5 ? at(i % 3) : at(9)]));
    const expected = seeded
      .slice(0, 5)
      .sort((x, y) => (stamp.get(x)! === stamp.get(y)! ? (x < y ? 1 : -1) : stamp.get(x)! < stamp.get(y)! ? 1 : -1));

    const seen: string[] = [];
    let page = await list(projectId, { event: 'e', limit: '2' });
    const pages = [page];
    while (page.next) {
      const url = new URL(page.next);
      expect(url.searchParams.get('event')).toBe('e');
      expect(url.searchParams.get('limit')).toBe('2');
      page = await getJson<Page>(pathOf(page.next));
      pages.push(page);
    }
    for (const p of pages) seen.push(...idsOf(p));
    expect(pages.map((p) => p.results.length)).toEqual([2, 2, 1]);
    expect(seen).toEqual(expected);
  });

  it('answers 400 naming the bad parameter', async () => {
    const { id: projectId } = await newProject();
    const cases: [Record<string, string>, string][] = [
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ after: 'yesterday' }, 'after'],
      [{ before: '2024-13-45T00:00:00Z' }, 'before'],
      [{ person_id: 'not-a-uuid' }, 'person_id'],
      [{ cursor: 'garbage!' }, 'cursor'],
      [{ cursor: btoa('["only one"]') }, 'cursor'],
      [{ event: '' }, 'event'],
    ];
    for (const [query, attr] of cases) {
      const res = await api(eventsPath(projectId, query));
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(await res.json(), JSON.stringify(query)).toMatchObject({
        type: 'validation_error',
        attr: expect.stringMatching(new RegExp(`^${attr}`)),
      });
    }
  });
});
