import {
  api,
  at,
  dbFor,
  getJson,
  newProject,
  pathOf,
  seedEvents,
  seedHistory,
  seedPerson,
  type PersonJson,
  type PersonPageJson,
} from '../support';
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { uuidFromDistinctId } from '../../src/identity';

type Page = PersonPageJson;

const personsPath = (projectId: number, query: Record<string, string> = {}) => {
  const qs = new URLSearchParams(query).toString();
  return `/api/projects/${projectId}/persons/${qs ? `?${qs}` : ''}`;
};

async function ids(projectId: number, query: Record<string, string>): Promise<string[]> {
  const page = await getJson<Page>(personsPath(projectId, query));
  return page.results.map((p) => p.id);
}

describe('GET persons/:uuid', () => {
  it('returns the person in the documented shape, distinct ids in insertion order', async () => {
    const { id: projectId } = await newProject();
    const id = await seedPerson(projectId, {
      distinctIds: ['zed', 'anon-1', 'mid'],
      properties: { email: 'a@example.com', plan: 'pro', nested: { x: 1 } },
      propertyWrites: {
        email: { t: at(4), op: 'set' },
        plan: { t: at(3), op: 'set_once' },
        gone: { t: at(2), op: 'unset' },
      },
      isIdentified: true,
      createdAt: at(5),
    });
    for (const path of [
      `/api/projects/${projectId}/persons/${id}/`,
      `/api/projects/${projectId}/persons/${id}`,
      `/api/projects/${projectId}/persons/${id.toUpperCase()}/`,
    ]) {
      expect(await getJson(path)).toEqual({
        type: 'person',
        id,
        uuid: id,
        distinct_ids: ['zed', 'anon-1', 'mid'],
        properties: { email: 'a@example.com', plan: 'pro', nested: { x: 1 } },
        properties_last_updated_at: { email: at(4), plan: at(3), gone: at(2) },
        properties_last_operation: { email: 'set', plan: 'set_once', gone: 'unset' },
        is_identified: true,
        created_at: at(5),
      });
    }
  });

  it('documents properties_last_updated_at / properties_last_operation in the OpenAPI Person schema', async () => {
    const doc = await (await api('/api/openapi.json')).json<{
      components: { schemas: { Person: { properties: Record<string, unknown>; required: string[] } } };
    }>();
    const person = doc.components.schemas.Person;
    expect(person.properties.properties_last_updated_at).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    expect(person.properties.properties_last_operation).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string', enum: ['set', 'set_once', 'unset'] },
    });
    expect(person.required).toEqual(
      expect.arrayContaining(['properties_last_updated_at', 'properties_last_operation']),
    );
  });

  it('answers 404 for an unknown person and 400 naming uuid for a malformed one', async () => {
    const { id: projectId } = await newProject();
    const res = await api(`/api/projects/${projectId}/persons/${crypto.randomUUID()}/`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'invalid_request', code: 'not_found' });
    const bad = await api(`/api/projects/${projectId}/persons/not-a-uuid/`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: 'validation_error', attr: 'uuid' });
  });
});

describe('GET persons/ (list)', () => {
  it('lists newest first (created_at desc, then id desc) and pages with next/previous URLs', async () => {
    const { id: projectId } = await newProject();
    const seeded: { id: string; createdAt: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const createdAt = at(i < 2 ? 0 : i); // two persons share a created_at
      seeded.push({ id: await seedPerson(projectId, { distinctIds: [`d${i}`], createdAt }), createdAt });
    }
    const expected = [...seeded]
      .sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
      .map((p) => p.id);

    const all = await getJson<Page>(personsPath(projectId));
    expect(all.results.map((p) => p.id)).toEqual(expected);
    expect(all.next).toBeNull();
    expect(all.previous).toBeNull();

    const first = await getJson<Page>(personsPath(projectId, { limit: '2' }));
    expect(first.results.map((p) => p.id)).toEqual(expected.slice(0, 2));
    expect(first.previous).toBeNull();
    expect(first.next).not.toBeNull();
    const nextUrl = new URL(first.next!);
    expect(nextUrl.origin).toBe('http://ingest.test');
    expect(nextUrl.pathname).toBe(`/api/projects/${projectId}/persons/`);
    expect(Object.fromEntries(nextUrl.searchParams)).toEqual({ limit: '2', offset: '2' });

    const second = await getJson<Page>(pathOf(first.next!));
    expect(second.results.map((p) => p.id)).toEqual(expected.slice(2, 4));
    expect(Object.fromEntries(new URL(second.previous!).searchParams)).toEqual({ limit: '2', offset: '0' });
    const third = await getJson<Page>(pathOf(second.next!));
    expect(third.results.map((p) => p.id)).toEqual(expected.slice(4));
    expect(third.next).toBeNull();
    expect(await getJson<Page>(pathOf(third.previous!))).toEqual(second);
  });

  it('keeps the filters in next/previous', async () => {
    const { id: projectId } = await newProject();
    for (let i = 0; i < 3; i++) await seedPerson(projectId, { distinctIds: [`user-${i}`], createdAt: at(i) });
    await seedPerson(projectId, { distinctIds: ['other'], createdAt: at(10) });
    const first = await getJson<Page>(personsPath(projectId, { search: 'user', limit: '2' }));
    expect(first.results).toHaveLength(2);
    const second = await getJson<Page>(pathOf(first.next!));
    expect(second.results.map((p) => p.distinct_ids)).toEqual([['user-0']]);
    expect(new URL(first.next!).searchParams.get('search')).toBe('user');
  });

  it('filters by exact distinct_id', async () => {
    const { id: projectId } = await newProject();
    const alice = await seedPerson(projectId, { distinctIds: ['anon-a', 'alice'] });
    await seedPerson(projectId, { distinctIds: ['alice2', 'ALICE'] });
    expect(await ids(projectId, { distinct_id: 'anon-a' })).toEqual([alice]);
    expect(await ids(projectId, { distinct_id: 'alice' })).toEqual([alice]);
    expect(await ids(projectId, { distinct_id: 'ali' })).toEqual([]);
    const page = await getJson<Page>(personsPath(projectId, { distinct_id: 'alice' }));
    expect(page.results[0]!.distinct_ids).toEqual(['anon-a', 'alice']);
  });

  it('searches distinct ids and the email property by substring, ignoring case', async () => {
    const { id: projectId } = await newProject();
    const byId = await seedPerson(projectId, { distinctIds: ['anon-1', 'Customer-42'], createdAt: at(1) });
    const byEmail = await seedPerson(projectId, {
      distinctIds: ['u-9'],
      properties: { email: 'Jane@Example.com' },
      createdAt: at(2),
    });
    await seedPerson(projectId, {
      distinctIds: ['x'],
      properties: { name: 'customer jane example' },
      createdAt: at(3),
    });
    expect(await ids(projectId, { search: 'customer-4' })).toEqual([byId]);
    expect(await ids(projectId, { search: 'jane@example' })).toEqual([byEmail]);
    expect(await ids(projectId, { search: 'EXAMPLE.COM' })).toEqual([byEmail]);
    expect(await ids(projectId, { search: '%' })).toEqual([]);
  });

  describe('properties filter', () => {
    async function fixture() {
      const { id: projectId } = await newProject();
      const p = {
        num: await seedPerson(projectId, {
          distinctIds: ['num'],
          properties: { age: 30, plan: 'pro', 'a.b': 'dotted', 'with space': 'yes' },
          createdAt: at(1),
        }),
        str: await seedPerson(projectId, {
          distinctIds: ['str'],
          properties: { age: '30', plan: 'Free', email: 'x@corp.io' },
          createdAt: at(2),
        }),
        bool: await seedPerson(projectId, {
          distinctIds: ['bool'],
          properties: { age: 7.5, plan: true, beta: false },
          createdAt: at(3),
        }),
        nul: await seedPerson(projectId, {
          distinctIds: ['nul'],
          properties: { plan: null, age: 'old' },
          createdAt: at(4),
        }),
        none: await seedPerson(projectId, { distinctIds: ['none'], properties: {}, createdAt: at(5) }),
      };
      const q = async (filters: unknown[]) => new Set(await ids(projectId, { properties: JSON.stringify(filters) }));
      return { projectId, p, q };
    }

    it('exact compares text forms, with one value or a list', async () => {
      const { p, q } = await fixture();
      expect(await q([{ key: 'age', value: 30, operator: 'exact' }])).toEqual(new Set([p.num, p.str]));
      expect(await q([{ key: 'age', value: '30' }])).toEqual(new Set([p.num, p.str]));
      expect(await q([{ key: 'plan', value: 'pro', operator: 'exact' }])).toEqual(new Set([p.num]));
      expect(await q([{ key: 'plan', value: true, operator: 'exact' }])).toEqual(new Set([p.bool]));
      expect(await q([{ key: 'beta', value: 'false', operator: 'exact' }])).toEqual(new Set([p.bool]));
      expect(await q([{ key: 'plan', value: ['pro', 'Free'], operator: 'exact' }])).toEqual(new Set([p.num, p.str]));
      expect(await q([{ key: 'a.b', value: 'dotted', operator: 'exact' }])).toEqual(new Set([p.num]));
      expect(await q([{ key: 'with space', value: 'yes', operator: 'exact' }])).toEqual(new Set([p.num]));
    });

    it('is_not keeps persons without the property', async () => {
      const { p, q } = await fixture();
      expect(await q([{ key: 'plan', value: 'pro', operator: 'is_not' }])).toEqual(
        new Set([p.str, p.bool, p.nul, p.none]),
      );
      expect(await q([{ key: 'plan', value: ['pro', 'Free'], operator: 'is_not' }])).toEqual(
        new Set([p.bool, p.nul, p.none]),
      );
    });

    it('icontains ignores case', async () => {
      const { p, q } = await fixture();
      expect(await q([{ key: 'plan', value: 'R', operator: 'icontains' }])).toEqual(new Set([p.num, p.str, p.bool]));
      expect(await q([{ key: 'email', value: '@CORP', operator: 'icontains' }])).toEqual(new Set([p.str]));
    });

    it('is_set / is_not_set treat JSON null as not set', async () => {
      const { p, q } = await fixture();
      expect(await q([{ key: 'plan', operator: 'is_set' }])).toEqual(new Set([p.num, p.str, p.bool]));
      expect(await q([{ key: 'plan', operator: 'is_not_set' }])).toEqual(new Set([p.nul, p.none]));
    });

    it('gt / lt compare numbers and numeric strings, skipping the rest', async () => {
      const { p, q } = await fixture();
      expect(await q([{ key: 'age', value: 10, operator: 'gt' }])).toEqual(new Set([p.num, p.str]));
      expect(await q([{ key: 'age', value: '10', operator: 'lt' }])).toEqual(new Set([p.bool]));
      expect(await q([{ key: 'age', value: 30, operator: 'lt' }])).toEqual(new Set([p.bool]));
    });

    it('combines several filters with AND', async () => {
      const { p, q } = await fixture();
      expect(
        await q([
          { key: 'age', value: 10, operator: 'gt' },
          { key: 'plan', value: 'pro', operator: 'is_not', type: 'person' },
        ]),
      ).toEqual(new Set([p.str]));
    });

    it('binds keys and values as parameters (quotes and SQL in values are just text)', async () => {
      const { projectId, q } = await fixture();
      const odd = await seedPerson(projectId, { distinctIds: ['odd'], properties: { "it's": "x' OR 1=1 --" } });
      expect(await q([{ key: "it's", value: "x' OR 1=1 --" }])).toEqual(new Set([odd]));
      expect(await q([{ key: 'plan', value: "' OR '1'='1" }])).toEqual(new Set());
    });
  });

  it('answers 400 naming the bad parameter', async () => {
    const { id: projectId } = await newProject();
    const cases: [Record<string, string>, string][] = [
      [{ limit: '0' }, 'limit'],
      [{ limit: '1001' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ offset: '-1' }, 'offset'],
      [{ offset: '1.5' }, 'offset'],
      [{ properties: 'not json' }, 'properties'],
      [{ properties: '{"key":"a"}' }, 'properties'],
      [{ properties: '[{"key":"a","value":"b","operator":"regex"}]' }, 'properties.0.operator'],
      [{ properties: '[{"value":"b"}]' }, 'properties.0.key'],
      [{ properties: '[{"key":"a","operator":"exact"}]' }, 'properties.0.value'],
      [{ properties: '[{"key":"a","value":"many","operator":"gt"}]' }, 'properties.0.value'],
      [{ properties: '[{"key":"a\\"b","value":"x"}]' }, 'properties.0.key'],
      [{ properties: '[{"key":"a","value":"x","type":"event"}]' }, 'properties.0.type'],
      [{ distinct_id: '' }, 'distinct_id'],
    ];
    for (const [query, attr] of cases) {
      const res = await api(personsPath(projectId, query));
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(await res.json(), JSON.stringify(query)).toMatchObject({
        type: 'validation_error',
        code: 'invalid_input',
        attr,
      });
    }
  });
});

describe('DELETE persons/:uuid', () => {
  it('deletes the person and its distinct ids, keeps its events unless delete_events=true', async () => {
    const { id: projectId } = await newProject();
    const keepEvents = await seedPerson(projectId, { distinctIds: ['k1', 'k2'] });
    const dropEvents = await seedPerson(projectId, { distinctIds: ['d1', 'd2'] });
    const bystander = await seedPerson(projectId, { distinctIds: ['b1'] });
    await seedHistory(projectId, {
      kind: 'identify',
      source: dropEvents,
      target: dropEvents,
      at: at(0),
      details: { distinct_ids_added: ['d2'] },
    });
    await seedEvents(projectId, [
      { distinctId: 'k1', timestamp: at(1) },
      { distinctId: 'k2', timestamp: at(2) },
      { distinctId: 'd1', timestamp: at(3) },
      { distinctId: 'd2', timestamp: at(4) },
      { distinctId: 'b1', timestamp: at(5) },
    ]);
    const eventsOf = async () =>
      (await getJson<{ results: { distinct_id: string }[] }>(`/api/projects/${projectId}/events/`)).results.map(
        (e) => e.distinct_id,
      );

    let res = await api(`/api/projects/${projectId}/persons/${keepEvents}/`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect((await api(`/api/projects/${projectId}/persons/${keepEvents}/`)).status).toBe(404);
    expect(await ids(projectId, { distinct_id: 'k1' })).toEqual([]);
    expect(await eventsOf()).toEqual(['b1', 'd2', 'd1', 'k2', 'k1']);

    res = await api(`/api/projects/${projectId}/persons/${dropEvents}/?delete_events=true`, { method: 'DELETE' });
    expect(res.status).toBe(202);
    expect(await eventsOf()).toEqual(['b1', 'k2', 'k1']);
    expect(await ids(projectId, {})).toEqual([bystander]);
    expect((await api(`/api/projects/${projectId}/persons/${dropEvents}/history/`)).status).toBe(404);
    // the history rows describing the deleted person went with it
    const historyRows = await (await dbFor(projectId)).all(
      sql`SELECT 1 FROM person_merges WHERE project_id = ${projectId} AND target_person_id = ${dropEvents}`,
    );
    expect(historyRows).toEqual([]);

    res = await api(`/api/projects/${projectId}/persons/${dropEvents}/`, { method: 'DELETE' });
    expect(res.status).toBe(404);
  });

  it('answers 400 naming delete_events for a value that is not a boolean', async () => {
    const { id: projectId } = await newProject();
    const id = await seedPerson(projectId, { distinctIds: ['x'] });
    const res = await api(`/api/projects/${projectId}/persons/${id}/?delete_events=yes`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ attr: 'delete_events' });
    expect((await api(`/api/projects/${projectId}/persons/${id}/`)).status).toBe(200);
  });
});

describe('POST persons/:uuid/split', () => {
  const split = (projectId: number, id: string, body?: unknown) =>
    api(
      `/api/projects/${projectId}/persons/${id}/split/`,
      body === undefined ? { method: 'POST' } : { method: 'POST', json: body },
    );

  it('keeps main_distinct_id and gives every other id a new person with uuidFromDistinctId', async () => {
    const { id: projectId } = await newProject();
    const id = await seedPerson(projectId, {
      distinctIds: ['anon-1', 'user@x.com', 'anon-2'],
      properties: { email: 'user@x.com' },
      isIdentified: true,
      createdAt: at(0),
      version: 3,
    });
    await seedEvents(projectId, [
      { distinctId: 'anon-1', timestamp: at(1) },
      { distinctId: 'user@x.com', timestamp: at(2) },
    ]);
    const before = Date.now();
    const res = await split(projectId, id, { main_distinct_id: 'user@x.com' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ success: true });

    const kept = await getJson<PersonJson>(`/api/projects/${projectId}/persons/${id}/`);
    expect(kept).toMatchObject({
      distinct_ids: ['user@x.com'],
      properties: { email: 'user@x.com' },
      is_identified: true,
    });
    for (const d of ['anon-1', 'anon-2']) {
      const [person] = (await getJson<Page>(personsPath(projectId, { distinct_id: d }))).results;
      expect(person).toMatchObject({
        id: uuidFromDistinctId(projectId, d),
        distinct_ids: [d],
        properties: {},
        is_identified: false,
      });
      expect(Date.parse(person!.created_at)).toBeGreaterThanOrEqual(before - 1000);
    }
    const events = await getJson<{ results: { distinct_id: string; person_id: string }[] }>(
      `/api/projects/${projectId}/events/`,
    );
    expect(events.results.map((e) => [e.distinct_id, e.person_id])).toEqual([
      ['user@x.com', id],
      ['anon-1', uuidFromDistinctId(projectId, 'anon-1')],
    ]);

    const history = await getJson<{ results: Record<string, unknown>[] }>(
      `/api/projects/${projectId}/persons/${id}/history/`,
    );
    expect(history.results).toHaveLength(2);
    expect(history.results.map((h) => (h.details as { distinct_id: string }).distinct_id).sort()).toEqual([
      'anon-1',
      'anon-2',
    ]);
    expect(history.results[0]).toMatchObject({ kind: 'split', source_person_id: id, event_uuid: null });
    const splitOff = await getJson<{ results: Record<string, unknown>[] }>(
      `/api/projects/${projectId}/persons/${uuidFromDistinctId(projectId, 'anon-2')}/history/`,
    );
    expect(splitOff.results).toEqual([
      expect.objectContaining({
        kind: 'split',
        source_person_id: id,
        target_person_id: uuidFromDistinctId(projectId, 'anon-2'),
        details: { distinct_id: 'anon-2' },
      }),
    ]);
  });

  it('keeps the oldest distinct id without a body, and picks a random uuid when uuidFromDistinctId is taken', async () => {
    const { id: projectId } = await newProject();
    // The person itself was created for "b", so b's uuid is taken when b leaves.
    const id = await seedPerson(projectId, { id: uuidFromDistinctId(projectId, 'b'), distinctIds: ['a', 'b'] });
    expect((await split(projectId, id)).status).toBe(201);
    expect((await getJson<PersonJson>(`/api/projects/${projectId}/persons/${id}/`)).distinct_ids).toEqual(['a']);
    const [b] = (await getJson<Page>(personsPath(projectId, { distinct_id: 'b' }))).results;
    expect(b!.id).not.toBe(id);
    expect(b!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is a no-op for a person with one distinct id', async () => {
    const { id: projectId } = await newProject();
    const id = await seedPerson(projectId, { distinctIds: ['only'] });
    expect((await split(projectId, id, {})).status).toBe(201);
    expect(await ids(projectId, {})).toEqual([id]);
  });

  it('answers 400 when main_distinct_id is not one of the ids, 404 for an unknown person', async () => {
    const { id: projectId } = await newProject();
    const id = await seedPerson(projectId, { distinctIds: ['a', 'b'] });
    const res = await split(projectId, id, { main_distinct_id: 'c' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'validation_error', attr: 'main_distinct_id' });
    const wrongType = await split(projectId, id, { main_distinct_id: 5 });
    expect(wrongType.status).toBe(400);
    expect(await wrongType.json()).toMatchObject({ attr: 'main_distinct_id' });
    expect((await getJson<PersonJson>(`/api/projects/${projectId}/persons/${id}/`)).distinct_ids).toEqual(['a', 'b']);
    expect((await split(projectId, crypto.randomUUID(), {})).status).toBe(404);
  });

  it('stays consistent when two splits and a delete race on the same persons', async () => {
    const { id: projectId } = await newProject();
    const distinctIds = Array.from({ length: 30 }, (_, i) => `id-${i}`);
    const id = await seedPerson(projectId, { distinctIds });
    // Writes by the person's object (simulated: version bumps) race with the splits; guards make them retry.
    const objectWrites = Array.from({ length: 10 }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i));
      await (await dbFor(projectId)).run(sql`UPDATE persons SET version = version + 1 WHERE id = ${id}`);
    });
    const [a, b] = await Promise.all([
      split(projectId, id, { main_distinct_id: 'id-3' }),
      split(projectId, id, { main_distinct_id: 'id-3' }),
      ...objectWrites,
    ]);
    expect([(a as Response).status, (b as Response).status]).toEqual([201, 201]);
    const page = await getJson<Page>(personsPath(projectId, { limit: '1000' }));
    expect(page.results).toHaveLength(30);
    // every distinct id belongs to exactly one person, and every person has exactly one
    expect(page.results.flatMap((p) => p.distinct_ids).sort()).toEqual([...distinctIds].sort());
    expect(page.results.every((p) => p.distinct_ids.length === 1)).toBe(true);
    const history = await getJson<{ results: unknown[] }>(`/api/projects/${projectId}/persons/${id}/history/`);
    expect(history.results).toHaveLength(29);

    const second = await seedPerson(projectId, { distinctIds: ['p', 'q', 'r'] });
    const [s, d] = await Promise.all([
      split(projectId, second, {}),
      api(`/api/projects/${projectId}/persons/${second}/`, { method: 'DELETE' }),
    ]);
    expect(d.status).toBe(202);
    expect([201, 404]).toContain(s.status);
    const left = (await getJson<Page>(personsPath(projectId, { limit: '1000' }))).results.filter((p) =>
      ['p', 'q', 'r'].some((x) => p.distinct_ids.includes(x)),
    );
    expect(left.every((p) => p.distinct_ids.length > 0 && p.id !== second)).toBe(true);
  });
});

describe('GET persons/:uuid/history', () => {
  it('returns merges, identifications and splits of the person, oldest first', async () => {
    const { id: projectId } = await newProject();
    const other = await newProject('other');
    const p = await seedPerson(projectId, { distinctIds: ['user-1', 'anon-1', 'anon-2'] });
    const merged = crypto.randomUUID();
    const unrelated = await seedPerson(projectId, { distinctIds: ['z'] });
    const ev1 = crypto.randomUUID();
    const ev2 = crypto.randomUUID();
    await seedHistory(projectId, {
      kind: 'merge',
      source: merged,
      target: p,
      at: at(2),
      eventUuid: ev2,
      details: {
        event: '$identify',
        source_distinct_id: 'anon-2',
        target_distinct_id: 'user-1',
        moved_distinct_ids: ['anon-2'],
      },
    });
    await seedHistory(projectId, {
      kind: 'identify',
      source: p,
      target: p,
      at: at(1),
      eventUuid: ev1,
      details: { event: '$identify', distinct_ids_added: ['anon-1'] },
    });
    await seedHistory(projectId, {
      kind: 'split',
      source: p,
      target: unrelated,
      at: at(3),
      details: { distinct_id: 'z' },
    });
    await seedHistory(projectId, { kind: 'merge', source: crypto.randomUUID(), target: unrelated, at: at(0) });
    await seedHistory(other.id, { kind: 'merge', source: crypto.randomUUID(), target: p, at: at(0) });

    const history = await getJson<{ results: unknown[] }>(`/api/projects/${projectId}/persons/${p}/history/`);
    expect(history).toEqual({
      results: [
        {
          kind: 'identify',
          at: at(1),
          event_uuid: ev1,
          source_person_id: p,
          target_person_id: p,
          details: { event: '$identify', distinct_ids_added: ['anon-1'] },
        },
        {
          kind: 'merge',
          at: at(2),
          event_uuid: ev2,
          source_person_id: merged,
          target_person_id: p,
          details: {
            event: '$identify',
            source_distinct_id: 'anon-2',
            target_distinct_id: 'user-1',
            moved_distinct_ids: ['anon-2'],
          },
        },
        {
          kind: 'split',
          at: at(3),
          event_uuid: null,
          source_person_id: p,
          target_person_id: unrelated,
          details: { distinct_id: 'z' },
        },
      ],
    });
    expect(
      await getJson(
        `/api/projects/${projectId}/persons/${await seedPerson(projectId, { distinctIds: ['new'] })}/history/`,
      ),
    ).toEqual({ results: [] });
  });
});
