import { describe, expect, it } from 'vitest';
import {
  MAX_PERSON_PROPERTIES_BYTES,
  mergeTransition,
  updateTransition,
  withPropertyUpdates,
  type IdentityEvent,
  type MergeInput,
  type MergeKind,
  type Person,
  type PersonEvent,
} from '../../src/identity';
import { eventOf } from '../support/events';

const item = (overrides: Partial<IdentityEvent> = {}): PersonEvent => ({ event: eventOf(overrides), warnings: [] });

const person = (id: string, overrides: Partial<Person> = {}): Person => ({
  id,
  projectId: 7,
  properties: {},
  propertyWrites: {},
  isIdentified: false,
  createdAt: '2024-01-01T00:00:00.000Z',
  version: 0,
  ...overrides,
});

const big = 'x'.repeat(MAX_PERSON_PROPERTIES_BYTES);

describe('withPropertyUpdates (the property transition)', () => {
  it('applies events in order, one version step per changing event', () => {
    const { person: after, events } = withPropertyUpdates(person('p', { version: 3 }), [
      item({ properties: { $set: { a: 1 } } }),
      item({ properties: { $set: { a: 1 } } }),
      item({ properties: { $set_once: { a: 2, b: 2 }, $unset: ['c'] } }),
    ]);
    expect(after.properties).toEqual({ a: 1, b: 2 });
    expect(after.version).toBe(5);
    expect(events.flatMap((e) => e.warnings)).toEqual([]);
  });

  it('refuses an update past the size limit, warns on its event, and keeps applying later ones', () => {
    const { person: after, events } = withPropertyUpdates(person('p', { properties: { a: 0 } }), [
      item({ uuid: 'too-big', properties: { $set: { huge: big } } }),
      item({ properties: { $set: { a: 1 } } }),
    ]);
    expect(after.properties).toEqual({ a: 1 });
    expect(after.version).toBe(1);
    expect(events[0]!.warnings.map((w) => [w.type, w.details.eventUuid])).toEqual([
      ['person_properties_size_violation', 'too-big'],
    ]);
    expect(events[1]!.warnings).toEqual([]);
  });
});

describe('updateTransition', () => {
  const input = { projectId: 7, personId: 'p', distinctIds: ['d'] };

  it('creates the person for createFor from its first event, then applies the rest', () => {
    const t = updateTransition(undefined, {
      ...input,
      createFor: 'd',
      events: [
        item({ uuid: 'first', timestamp: '2024-02-02T00:00:00.000Z', properties: { $set: { a: 1 } } }),
        item({ properties: { $set: { b: 2 } } }),
      ],
    })!;
    expect(t.before).toBeNull();
    expect(t.after).toEqual({
      id: 'p',
      projectId: 7,
      properties: { a: 1, b: 2, $creator_event_uuid: 'first' },
      propertyWrites: {
        a: { t: '2024-02-02T00:00:00.000Z', op: 'set' },
        b: { t: '2024-05-01T10:00:00.000Z', op: 'set' },
      },
      isIdentified: false,
      createdAt: '2024-02-02T00:00:00.000Z',
      version: 1,
    });
    expect(t.claims).toEqual(['d']);
    expect(t.expects).toEqual({ versions: [], owners: [] });
    expect(t.owns).toEqual(['d']);
  });

  it('a new person past the size limit keeps only $creator_event_uuid, and its event is warned', () => {
    const t = updateTransition(undefined, {
      ...input,
      createFor: 'd',
      events: [item({ uuid: 'first', properties: { $set: { huge: big } } })],
    })!;
    expect(t.after.properties).toEqual({ $creator_event_uuid: 'first' });
    expect(t.events[0]!.warnings.map((w) => w.type)).toEqual(['person_properties_size_violation']);
  });

  it('cannot run without the person unless asked to create it', () => {
    expect(updateTransition(undefined, { ...input, events: [item()] })).toBeNull();
  });

  it('on an existing person expects its version and the events’ ids to still be its own', () => {
    const before = person('p', {
      version: 4,
      properties: { a: 1 },
      propertyWrites: { a: { t: '2024-05-01T10:00:00.000Z', op: 'set' } },
    });
    const t = updateTransition(before, {
      ...input,
      distinctIds: ['d', 'e'],
      events: [item({ properties: { $set: { a: 1 } } })],
    })!;
    expect(t.after).toEqual(before);
    expect(t.expects).toEqual({
      versions: [['p', 4]],
      owners: [
        ['d', 'p'],
        ['e', 'p'],
      ],
    });
    expect([t.claims, t.history, t.absorbed]).toEqual([[], [], null]);
  });
});

describe('mergeTransition (spec §2)', () => {
  const request = (kind: MergeKind = '$identify') => ({ kind, source: 'anon', target: 'user' });
  const mergeInput = (overrides: Partial<MergeInput> = {}): MergeInput => ({
    projectId: 7,
    personId: 'T',
    request: request(),
    sourcePersonId: 'S',
    targetPersonId: 'T',
    event: item({ uuid: 'merge-event', distinct_id: 'user' }),
    ...overrides,
  });

  it('neither id has a person: one identified person with both ids and an identify line', () => {
    const t = mergeTransition(undefined, undefined, mergeInput({ sourcePersonId: null, targetPersonId: null }))!;
    expect(t.after).toMatchObject({
      id: 'T',
      isIdentified: true,
      version: 0,
      properties: { $creator_event_uuid: 'merge-event' },
    });
    expect(t.claims).toEqual(['user', 'anon']);
    expect(t.history).toEqual([
      {
        kind: 'identify',
        sourcePersonId: 'T',
        targetPersonId: 'T',
        eventUuid: 'merge-event',
        details: { event: '$identify', distinct_ids_added: ['user', 'anon'] },
      },
    ]);
  });

  it('only the source has a person: the target id joins it, which becomes identified', () => {
    const source = person('S', { version: 2 });
    const t = mergeTransition(source, undefined, mergeInput({ personId: 'S', targetPersonId: null }))!;
    expect(t.claims).toEqual(['user']);
    expect(t.after).toMatchObject({ id: 'S', isIdentified: true, version: 3 });
    expect(t.expects).toEqual({ versions: [['S', 2]], owners: [['anon', 'S']] });
    expect(t.history.map((h) => h.details.distinct_ids_added)).toEqual([['user']]);
    expect(t.owns).toEqual(['anon', 'user']);
  });

  it('both ids already on one identified person: nothing to write, no history', () => {
    const same = person('T', { isIdentified: true, version: 5 });
    const t = mergeTransition(same, undefined, mergeInput({ sourcePersonId: 'T' }))!;
    expect(t.after).toEqual(same);
    expect([t.claims, t.history, t.absorbed]).toEqual([[], [], null]);
  });

  it('a refused merge leaves both persons apart, warns, and still identifies the target', () => {
    const target = person('T', { version: 1 });
    const source = person('S', { isIdentified: true, version: 9 });
    const t = mergeTransition(target, source, mergeInput())!;
    expect(t.absorbed).toBeNull();
    expect(t.after).toMatchObject({ id: 'T', isIdentified: true, version: 2 });
    expect(t.events[0]!.warnings.map((w) => w.type)).toEqual(['cannot_merge_already_identified']);
    expect(t.expects.versions).toEqual([
      ['T', 1],
      ['S', 9],
    ]);
    expect(t.owns).toEqual(['user']);
  });

  it('a merge takes the earlier created_at, the higher version + 1, the target’s value on a conflict', () => {
    const target = person('T', {
      version: 1,
      createdAt: '2024-03-01T00:00:00.000Z',
      properties: { k: 'target', t: 1 },
    });
    const source = person('S', {
      isIdentified: true,
      version: 6,
      createdAt: '2024-02-01T00:00:00.000Z',
      properties: { k: 'source', s: 1 },
    });
    const t = mergeTransition(target, source, mergeInput({ request: request('$merge_dangerously') }))!;
    expect(t.absorbed).toBe(source);
    expect(t.after).toEqual({
      ...target,
      isIdentified: true,
      createdAt: source.createdAt,
      version: 7,
      properties: { k: 'target', s: 1, t: 1 },
    });
    expect(t.history.map((h) => [h.kind, h.sourcePersonId, h.targetPersonId, h.details])).toEqual([
      ['merge', 'S', 'T', { event: '$merge_dangerously', source_distinct_id: 'anon', target_distinct_id: 'user' }],
    ]);
    expect(t.expects.owners).toEqual([
      ['user', 'T'],
      ['anon', 'S'],
    ]);
  });

  it('merged properties past the size limit stay the target’s own; the merge still happens', () => {
    const target = person('T', { properties: { t: 1 } });
    const source = person('S', { properties: { huge: big } });
    const t = mergeTransition(target, source, mergeInput())!;
    expect(t.absorbed).toBe(source);
    expect(t.after.properties).toEqual({ t: 1 });
    expect(t.events[0]!.warnings.map((w) => w.type)).toEqual(['person_properties_size_violation']);
  });

  it('cannot run when a person it needs is missing', () => {
    expect(mergeTransition(undefined, undefined, mergeInput())).toBeNull();
    expect(mergeTransition(person('T'), undefined, mergeInput())).toBeNull();
  });
});
