import { describe, expect, it } from 'vitest';
import { uuidFromDistinctId } from '../../src/identity';
import { newProject, eventRow, ev, ingest, ingestInOrder, personOf, personsOf, warningsOf } from '../support';

const identify = (user: string, anon: string, props: Record<string, unknown> = {}) =>
  ev('$identify', user, { $anon_distinct_id: anon, ...props });
const alias = (distinctId: string, aliasId: string) => ev('$create_alias', distinctId, { alias: aliasId });
const mergeDangerously = (into: string, from: string) => ev('$merge_dangerously', into, { alias: from });
const setOn = (distinctId: string, $set: Record<string, unknown>) => ev('$set', distinctId, { $set });

describe('the four merge cases', () => {
  it('neither id has a person: one identified person owning both, target first, uuid of the target', async () => {
    const p = await newProject();
    const e = identify('user', 'anon', { $set: { email: 'a@x.test' }, $set_once: { first: 1 } });
    await ingest(p, [e]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]).toMatchObject({
      id: uuidFromDistinctId(p.id, 'user'),
      distinctIds: ['anon', 'user'],
      isIdentified: true,
      properties: { email: 'a@x.test', first: 1, $creator_event_uuid: e.uuid },
    });
    expect((await eventRow(p.id, e.uuid))?.personIdAtIngest).toBe(persons[0]!.id);
  });

  it('only the source has a person: the target id joins it and it becomes identified', async () => {
    const p = await newProject();
    await ingestInOrder(p, [setOn('anon', { seen: true }), identify('user', 'anon', { $set: { plan: 'pro' } })]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]).toMatchObject({
      id: uuidFromDistinctId(p.id, 'anon'),
      distinctIds: ['anon', 'user'],
      isIdentified: true,
      properties: { seen: true, plan: 'pro' },
    });
  });

  it('only the target has a person: the source id joins it', async () => {
    const p = await newProject();
    await ingestInOrder(p, [setOn('user', { name: 'U' }), identify('user', 'anon')]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]).toMatchObject({
      id: uuidFromDistinctId(p.id, 'user'),
      distinctIds: ['anon', 'user'],
      isIdentified: true,
    });
  });

  it('both ids already on the same person: nothing moves, the person becomes identified', async () => {
    const p = await newProject();
    await ingestInOrder(p, [alias('user', 'other')]);
    const before = (await personOf(p.id, 'user'))!;
    await ingestInOrder(p, [identify('user', 'other')]);
    const after = (await personsOf(p.id))!;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: before.id, distinctIds: ['other', 'user'], isIdentified: true });
  });

  it('two persons: the source merges into the target, target wins properties, earliest created_at kept', async () => {
    const p = await newProject();
    const anonFirst = setOn('anon', { name: 'Anonymous', phone: '0800' });
    const userFirst = setOn('user', { name: 'User A', location: 'London' });
    const merge = identify('user', 'anon', { $set: { timezone: 'GMT+8' } });
    await ingestInOrder(p, [anonFirst, userFirst]);
    const source = (await personOf(p.id, 'anon'))!;
    const target = (await personOf(p.id, 'user'))!;
    await ingestInOrder(p, [merge]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    const [person] = persons;
    expect(person).toMatchObject({ id: target.id, distinctIds: ['anon', 'user'], isIdentified: true });
    expect(person!.properties).toMatchObject({ name: 'User A', location: 'London', phone: '0800', timezone: 'GMT+8' });
    expect(person!.createdAt).toBe(anonFirst.timestamp);
    expect(person!.version).toBe(Math.max(source.version, target.version) + 1);
    expect((await eventRow(p.id, merge.uuid))?.personIdAtIngest).toBe(target.id);
  });
});

describe('refused and dangerous merges', () => {
  it('refuses to merge an identified source with identify and alias, warning and keeping both persons', async () => {
    for (const refusedEvent of [identify, alias]) {
      const p = await newProject();
      await ingestInOrder(p, [identify('user1', 'anon1'), setOn('user2', { x: 1 })]);
      const e = refusedEvent('user2', 'user1');
      await ingestInOrder(p, [e]);
      const persons = await personsOf(p.id);
      expect(persons.map((x) => x.distinctIds).sort()).toEqual([['anon1', 'user1'], ['user2']]);
      expect((await personOf(p.id, 'user2'))?.isIdentified).toBe(true);
      const warnings = await warningsOf(p.id);
      expect(warnings.map((w) => [w.type, w.details, w.eventUuid])).toEqual([
        [
          'cannot_merge_already_identified',
          { sourcePersonDistinctId: 'user1', targetPersonDistinctId: 'user2', eventUuid: e.uuid },
          e.uuid,
        ],
      ]);
      expect((await eventRow(p.id, e.uuid))?.personIdAtIngest).toBe((await personOf(p.id, 'user2'))!.id);
    }
  });

  it('a second identify with another id: joins a new id (spec §2), refused when it has a person', async () => {
    const p = await newProject();
    await ingestInOrder(p, [identify('distinct_id_one', 'anon'), identify('distinct_id_two', 'distinct_id_one')]);
    expect((await personsOf(p.id)).map((x) => x.distinctIds)).toEqual([['anon', 'distinct_id_one', 'distinct_id_two']]);
    expect(await warningsOf(p.id)).toEqual([]);

    const q = await newProject();
    await ingestInOrder(q, [
      identify('distinct_id_one', 'anon'),
      setOn('distinct_id_two', {}),
      identify('distinct_id_two', 'distinct_id_one'),
    ]);
    expect((await personsOf(q.id)).map((x) => x.distinctIds).sort()).toEqual([
      ['anon', 'distinct_id_one'],
      ['distinct_id_two'],
    ]);
    expect((await warningsOf(q.id)).map((w) => w.type)).toEqual(['cannot_merge_already_identified']);
  });

  it('$merge_dangerously merges identified persons; the target keeps its values (seed example)', async () => {
    const p = await newProject();
    await ingestInOrder(p, [
      identify('distinct_id_of_user_A', 'anonA', { $set: { name: 'User A', location: 'London' } }),
      identify('distinct_id_of_user_B', 'anonB', { $set: { name: 'User B', location: 'Rome', phone: '0800-POSTHOG' } }),
      mergeDangerously('distinct_id_of_user_A', 'distinct_id_of_user_B'),
    ]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]!.distinctIds).toEqual(['anonA', 'anonB', 'distinct_id_of_user_A', 'distinct_id_of_user_B']);
    expect(persons[0]!.properties).toMatchObject({ name: 'User A', location: 'London', phone: '0800-POSTHOG' });
    expect(await warningsOf(p.id)).toEqual([]);
  });
});

describe('illegal ids and no-op merges', () => {
  it('never merges with an illegal id, warns, and still applies the event to its own person', async () => {
    const p = await newProject();
    const asTarget = identify('null', 'anon-t', { $set: { a: 1 } });
    const asSource = identify('user', 'undefined', { $set: { b: 2 } });
    await ingestInOrder(p, [asTarget, asSource]);
    const persons = await personsOf(p.id);
    expect(persons.map((x) => [x.distinctIds, x.isIdentified, x.properties.a ?? x.properties.b])).toEqual(
      expect.arrayContaining([
        [['null'], false, 1],
        [['user'], false, 2],
      ]),
    );
    expect(persons).toHaveLength(2);
    const warnings = (await warningsOf(p.id)).map((w) => w.details);
    expect(warnings).toEqual(
      expect.arrayContaining([
        { illegalDistinctId: 'null', otherDistinctId: 'anon-t', eventUuid: asTarget.uuid },
        { illegalDistinctId: 'undefined', otherDistinctId: 'user', eventUuid: asSource.uuid },
      ]),
    );
  });

  it('identify with the same id, or without $anon_distinct_id, neither merges nor identifies', async () => {
    const p = await newProject();
    await ingestInOrder(p, [identify('same', 'same'), ev('$identify', 'plain', { $set: { k: 'v' } })]);
    const persons = await personsOf(p.id);
    expect(persons.map((x) => [x.distinctIds, x.isIdentified])).toEqual(
      expect.arrayContaining([
        [['same'], false],
        [['plain'], false],
      ]),
    );
    expect(await warningsOf(p.id)).toEqual([]);
  });
});

describe('history, person-less events, isolation, re-sends', () => {
  it('person-less events of an anonymous id belong to the person it is later merged into', async () => {
    const p = await newProject();
    const anonymous = [1, 2, 3].map((i) =>
      ev('$pageview', 'visitor', { $process_person_profile: false, $set: { dropped: i }, n: i }),
    );
    await ingest(p, anonymous);
    expect(await personsOf(p.id)).toEqual([]);
    for (const e of anonymous) {
      const row = await eventRow(p.id, e.uuid);
      expect(row?.personIdAtIngest).toBe(uuidFromDistinctId(p.id, 'visitor'));
      expect(row?.properties).not.toHaveProperty('$set');
    }
    await ingestInOrder(p, [identify('customer', 'visitor', { $set: { email: 'c@x.test' } })]);
    const [person] = await personsOf(p.id);
    expect(person).toMatchObject({ distinctIds: ['customer', 'visitor'], properties: { email: 'c@x.test' } });
    expect(person!.properties).not.toHaveProperty('dropped');
  });

  it('chains three anonymous ids into one person', async () => {
    const p = await newProject();
    await ingestInOrder(p, [
      setOn('a1', { one: 1 }),
      identify('u', 'a1'),
      setOn('a2', { two: 2 }),
      identify('u', 'a2'),
      ev('$pageview', 'a3', { $set_once: { three: 3 } }),
      alias('u', 'a3'),
    ]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]).toMatchObject({
      distinctIds: ['a1', 'a2', 'a3', 'u'],
      isIdentified: true,
      properties: { one: 1, two: 2, three: 3 },
    });
  });

  it('keeps projects apart: the same distinct ids make separate persons per project', async () => {
    const a = await newProject('A');
    const b = await newProject('B');
    await ingestInOrder(a, [identify('user', 'anon', { $set: { team: 'a' } })]);
    await ingestInOrder(b, [setOn('user', { team: 'b' })]);
    const [pa] = await personsOf(a.id);
    const [pb] = await personsOf(b.id);
    expect(pa).toMatchObject({ distinctIds: ['anon', 'user'], properties: { team: 'a' } });
    expect(pb).toMatchObject({ distinctIds: ['user'], properties: { team: 'b' }, isIdentified: false });
    expect(pa!.id).not.toBe(pb!.id);
  });

  it('stores a re-sent event once and does not apply its updates again', async () => {
    const p = await newProject();
    const first = setOn('user', { plan: 'free' });
    const second = setOn('user', { plan: 'pro' });
    await ingestInOrder(p, [first, second]);
    const before = (await personOf(p.id, 'user'))!;
    await ingest(p, [first, first]);
    const marker = setOn('user', { marker: true });
    await ingestInOrder(p, [marker]);
    const after = (await personOf(p.id, 'user'))!;
    expect(after.properties).toMatchObject({ plan: 'pro', marker: true });
    expect(after.version).toBe(before.version + 1);
  });
});
