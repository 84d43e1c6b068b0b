import { describe, expect, it } from 'vitest';
import {
  applyGroupUpdates,
  assignGroupTypes,
  checkGroupName,
  groupColumnsOf,
  groupIdentifyOf,
  groupsOfEvent,
  groupWarnings,
  withGroupProperties,
} from '../../src/groups/rules';

describe('checkGroupName', () => {
  it('accepts strings and finite numbers (as PostHog stores key.toString())', () => {
    expect(checkGroupName('acme')).toEqual({ ok: true, name: 'acme' });
    expect(checkGroupName(42)).toEqual({ ok: true, name: '42' });
    expect(checkGroupName('0')).toEqual({ ok: true, name: '0' });
    expect(checkGroupName('x'.repeat(200))).toMatchObject({ ok: true });
    expect(checkGroupName('😀'.repeat(200))).toMatchObject({ ok: true });
  });

  it.each([
    [undefined, 'missing'],
    [null, 'missing'],
    ['', 'blank'],
    ['  ', 'blank'],
    ['x'.repeat(201), 'longer than 200 characters'],
    [{}, 'not a string (object)'],
    [['a'], 'not a string (object)'],
    [true, 'not a string (boolean)'],
    [Number.NaN, 'not a string (number)'],
    ['[object Object]', 'the SDK mistake "[object Object]"'],
    ['undefined', 'the SDK mistake "undefined"'],
    ['null', 'the SDK mistake "null"'],
  ])('refuses %j: %s', (value, reason) => {
    expect(checkGroupName(value)).toEqual({ ok: false, reason });
  });
});

describe('groupsOfEvent', () => {
  it('reads $groups and reports the bad entries', () => {
    expect(groupsOfEvent({})).toEqual({ groups: [], problems: [] });
    expect(groupsOfEvent({ $groups: { company: 'acme', team: 7, bad: '', ' ': 'x' } })).toEqual({
      groups: [
        { type: 'company', key: 'acme' },
        { type: 'team', key: '7' },
      ],
      problems: [
        { field: '$groups.bad', value: '', reason: 'group key blank' },
        { field: '$groups', value: ' ', reason: 'group type blank' },
      ],
    });
    expect(groupsOfEvent({ $groups: 'acme' }).problems).toEqual([
      { field: '$groups', value: 'acme', reason: 'not an object' },
    ]);
  });
});

describe('groupIdentifyOf', () => {
  it('is null for other events', () => {
    expect(groupIdentifyOf('$pageview', { $group_type: 'company', $group_key: 'acme' })).toBeNull();
  });

  it('reads type, key, $group_set and $group_set_once', () => {
    expect(
      groupIdentifyOf('$groupidentify', {
        $group_type: 'company',
        $group_key: 'acme',
        $group_set: { name: 'Acme' },
        $group_set_once: { first: 1 },
      }),
    ).toEqual({
      identify: { type: 'company', key: 'acme', set: { name: 'Acme' }, setOnce: { first: 1 } },
      problems: [],
    });
    expect(groupIdentifyOf('$groupidentify', { $group_type: 'company', $group_key: 5 })?.identify).toEqual({
      type: 'company',
      key: '5',
      set: {},
      setOnce: {},
    });
  });

  it('reports a missing or bad type or key, and a $group_set that is not an object', () => {
    expect(groupIdentifyOf('$groupidentify', { $group_key: 'acme' })).toEqual({
      identify: null,
      problems: [{ field: '$group_type', value: 'undefined', reason: 'missing' }],
    });
    const long = groupIdentifyOf('$groupidentify', {
      $group_type: 'company',
      $group_key: 'k'.repeat(300),
      $group_set: [1],
    });
    expect(long?.identify).toBeNull();
    expect(long?.problems.map((p) => [p.field, p.reason])).toEqual([
      ['$group_key', 'longer than 200 characters'],
      ['$group_set', 'not an object'],
    ]);
    expect(long!.problems[0]!.value.length).toBeLessThanOrEqual(101);
  });
});

describe('applyGroupUpdates (PostHog calculateUpdate: shallow merge)', () => {
  it('overwrites differing keys, keeps others, replaces nested objects whole', () => {
    const current = { name: 'Acme', plan: 'free', address: { city: 'Paris', zip: '75001' } };
    expect(applyGroupUpdates(current, [{ set: { plan: 'pro', address: { city: 'Lyon' } }, setOnce: {} }])).toEqual({
      properties: { name: 'Acme', plan: 'pro', address: { city: 'Lyon' } },
      changed: true,
    });
  });

  it('is unchanged when every value is already there, and applies updates in order', () => {
    expect(applyGroupUpdates({ a: 1, o: { x: [1] } }, [{ set: { a: 1, o: { x: [1] } }, setOnce: { a: 2 } }])).toEqual({
      properties: { a: 1, o: { x: [1] } },
      changed: false,
    });
    expect(
      applyGroupUpdates({}, [
        { set: { a: 1 }, setOnce: {} },
        { set: { a: 2, b: null }, setOnce: { c: 1 } },
        { set: {}, setOnce: { c: 2, a: 3 } },
      ]),
    ).toEqual({ properties: { a: 2, b: null, c: 1 }, changed: true });
  });

  it('does not change the current object', () => {
    const current = { a: 1 };
    applyGroupUpdates(current, [{ set: { a: 2 }, setOnce: {} }]);
    expect(current).toEqual({ a: 1 });
  });
});

describe('assignGroupTypes', () => {
  it('maps new types to the next index in order of first appearance, at most five', () => {
    const first = assignGroupTypes(new Map(), ['company', 'team', 'company']);
    expect([...first]).toEqual([
      ['company', 0],
      ['team', 1],
    ]);
    const full = assignGroupTypes(first, ['a', 'b', 'team', 'c', 'd', 'e']);
    expect([...full]).toEqual([
      ['company', 0],
      ['team', 1],
      ['a', 2],
      ['b', 3],
      ['c', 4],
    ]);
  });
});

describe('withGroupProperties and groupColumnsOf', () => {
  it('adds $group_N for mapped types only', () => {
    const mapping = new Map([
      ['company', 0],
      ['team', 3],
    ]);
    const props = withGroupProperties(
      { x: 1 },
      [
        { type: 'company', key: 'acme' },
        { type: 'team', key: 't1' },
        { type: 'sixth', key: 's' },
      ],
      mapping,
    );
    expect(props).toEqual({ x: 1, $group_0: 'acme', $group_3: 't1' });
    expect(groupColumnsOf(props)).toEqual(['acme', null, null, 't1', null]);
    const same = { x: 1 };
    expect(withGroupProperties(same, [{ type: 'sixth', key: 's' }], mapping)).toBe(same);
  });
});

describe('groupWarnings', () => {
  it('one warning per kind of problem', () => {
    expect(groupWarnings('u', [], [])).toEqual([]);
    expect(groupWarnings('u', [{ field: '$group_key', value: '', reason: 'blank' }], ['f', 'g'])).toEqual([
      {
        type: 'invalid_group',
        details: { eventUuid: 'u', problems: [{ field: '$group_key', value: '', reason: 'blank' }] },
      },
      { type: 'group_type_limit_exceeded', details: { eventUuid: 'u', groupTypes: ['f', 'g'], limit: 5 } },
    ]);
  });
});
