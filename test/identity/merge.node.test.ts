import { describe, expect, it } from 'vitest';
import {
  isMergeAllowed,
  mergeCaseOf,
  mergeRequestOf,
  precheckMerge,
  refusedMergeWarning,
  type MergeKind,
} from '../../src/identity';
import { eventOf } from '../support/events';

describe('mergeRequestOf (spec §1 table)', () => {
  it('$identify with $anon_distinct_id merges the anonymous id into the event distinct id', () => {
    const e = eventOf({ event: '$identify', distinct_id: 'user-1', properties: { $anon_distinct_id: 'anon-1' } });
    expect(mergeRequestOf(e)).toEqual({ kind: '$identify', source: 'anon-1', target: 'user-1' });
  });

  it('$identify without $anon_distinct_id never merges', () => {
    const e = eventOf({ event: '$identify', properties: { $set: { email: 'a@b.c' }, alias: 'other' } });
    expect(mergeRequestOf(e)).toBeNull();
  });

  it.each([
    [null, 'null'],
    [42, '42'],
    ['', ''],
    [false, 'false'],
  ])('$identify needs only the key: $anon_distinct_id %j becomes source %j', (value, source) => {
    const e = eventOf({ event: '$identify', properties: { $anon_distinct_id: value } });
    expect(mergeRequestOf(e)).toEqual({ kind: '$identify', source, target: 'user-1' });
  });

  describe.each(['$create_alias', '$merge_dangerously'] as const)('%s', (kind) => {
    it('with a truthy alias merges the alias into the event distinct id', () => {
      const e = eventOf({ event: kind, distinct_id: 'user-2', properties: { alias: 'user-1' } });
      expect(mergeRequestOf(e)).toEqual({ kind, source: 'user-1', target: 'user-2' });
    });

    it('stringifies a numeric alias', () => {
      const e = eventOf({ event: kind, distinct_id: 'user-2', properties: { alias: 123 } });
      expect(mergeRequestOf(e)).toEqual({ kind, source: '123', target: 'user-2' });
    });

    it.each([[''], [0], [false], [null], [undefined], [Number.NaN]])('with falsy alias %j does not merge', (alias) => {
      expect(mergeRequestOf(eventOf({ event: kind, properties: { alias } }))).toBeNull();
    });

    it('without an alias does not merge', () => {
      expect(mergeRequestOf(eventOf({ event: kind, properties: { $anon_distinct_id: 'anon-1' } }))).toBeNull();
    });
  });

  it.each([
    '$pageview',
    'identify',
    '$set',
    '$groupidentify',
    'signed_up',
  ])('%s never merges, even with merge-looking properties', (event) => {
    const e = eventOf({ event, properties: { alias: 'a', $anon_distinct_id: 'b' } });
    expect(mergeRequestOf(e)).toBeNull();
  });
});

describe('precheckMerge (spec §1 checks, in order)', () => {
  const uuid = 'event-uuid-1';

  it('same id: skip, no warning', () => {
    expect(precheckMerge({ kind: '$identify', source: 'user-1', target: 'user-1' }, uuid)).toEqual({ action: 'skip' });
  });

  it('same id beats illegal id', () => {
    expect(precheckMerge({ kind: '$identify', source: 'null', target: 'null' }, uuid)).toEqual({ action: 'skip' });
  });

  it('compares ids exactly: different case is not the same id', () => {
    expect(precheckMerge({ kind: '$identify', source: 'User', target: 'user' }, uuid)).toEqual({ action: 'merge' });
  });

  it('illegal target: warning naming the target as the illegal id', () => {
    expect(precheckMerge({ kind: '$identify', source: 'anon-1', target: 'undefined' }, uuid)).toEqual({
      action: 'warn',
      warning: {
        type: 'cannot_merge_with_illegal_distinct_id',
        details: { illegalDistinctId: 'undefined', otherDistinctId: 'anon-1', eventUuid: uuid },
      },
    });
  });

  it('illegal source: same warning with the roles swapped', () => {
    expect(precheckMerge({ kind: '$create_alias', source: '   ', target: 'user-1' }, uuid)).toEqual({
      action: 'warn',
      warning: {
        type: 'cannot_merge_with_illegal_distinct_id',
        details: { illegalDistinctId: '   ', otherDistinctId: 'user-1', eventUuid: uuid },
      },
    });
  });

  it('both illegal: the target is checked first', () => {
    const result = precheckMerge({ kind: '$merge_dangerously', source: 'null', target: 'guest' }, uuid);
    expect(result).toMatchObject({ action: 'warn', warning: { details: { illegalDistinctId: 'guest' } } });
  });

  it('two legal, different ids: merge', () => {
    expect(precheckMerge({ kind: '$identify', source: 'anon-1', target: 'user-1' }, uuid)).toEqual({ action: 'merge' });
  });
});

describe('mergeCaseOf (spec §2 table)', () => {
  it.each([
    [null, null, 'create_both'],
    [{ id: 'S' }, null, 'add_target_to_source'],
    [null, { id: 'T' }, 'add_source_to_target'],
    [{ id: 'P' }, { id: 'P' }, 'same_person'],
    [{ id: 'S' }, { id: 'T' }, 'merge_persons'],
  ] as const)('source person %j, target person %j: %s', (source, target, expected) => {
    expect(mergeCaseOf(source, target)).toBe(expected);
  });
});

describe('isMergeAllowed (spec §2: only the source flag matters)', () => {
  it.each([
    ['$identify', false, true],
    ['$identify', true, false],
    ['$create_alias', false, true],
    ['$create_alias', true, false],
    ['$merge_dangerously', false, true],
    ['$merge_dangerously', true, true],
  ] as [MergeKind, boolean, boolean][])('%s with source identified=%s: %s', (kind, identified, allowed) => {
    expect(isMergeAllowed(kind, identified)).toBe(allowed);
  });
});

describe('refusedMergeWarning', () => {
  it('names both distinct ids and the event', () => {
    expect(
      refusedMergeWarning({ kind: '$identify', source: 'distinct_id_one', target: 'distinct_id_two' }, 'e-1'),
    ).toEqual({
      type: 'cannot_merge_already_identified',
      details: {
        sourcePersonDistinctId: 'distinct_id_one',
        targetPersonDistinctId: 'distinct_id_two',
        eventUuid: 'e-1',
      },
    });
  });
});
