import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeProperties, mergeTransition, type IdentityEvent, type Person } from '../../src/identity';
import {
  iso,
  eventAt,
  personFrom,
  withEvents,
  posthogInTimeOrder,
  withoutCreator,
  ONCE_KEYS,
  UNSET_KEYS,
  updateArb,
  eventsAndArrival,
} from './arrival-orders';

describe('any arrival order gives the same properties (issue #16)', () => {
  it('one person: any permutation of $set / $set_once / $unset events ends where PostHog’s time order does', () => {
    fc.assert(
      fc.property(eventsAndArrival(updateArb(ONCE_KEYS, UNSET_KEYS, false)), ({ events, arrival }) => {
        expect(withoutCreator(personFrom(arrival).properties)).toEqual(withoutCreator(posthogInTimeOrder(events)));
      }),
      { numRuns: 500 },
    );
  });

  it('the same holds when the events arrive in several steps, the person written between them', () => {
    fc.assert(
      fc.property(eventsAndArrival(updateArb(ONCE_KEYS, UNSET_KEYS, false)), fc.nat(), ({ events, arrival }, cut) => {
        const at = 1 + (cut % arrival.length);
        const created = personFrom(arrival.slice(0, at));
        const stored = JSON.parse(JSON.stringify(created)) as Person;
        expect(withoutCreator(withEvents(stored, arrival.slice(at)).properties)).toEqual(
          withoutCreator(posthogInTimeOrder(events)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('in timestamp order the result is exactly PostHog’s, for any mix of updates and equal timestamps', () => {
    const anyKeys = [...ONCE_KEYS, ...UNSET_KEYS];
    const update = updateArb(anyKeys, anyKeys, true);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), update), { minLength: 1, maxLength: 10 }),
        (raw) => {
          const events = raw.map(([s, u]) => eventAt(s, u));
          const inTimeOrder = [...events].sort((a, b) =>
            a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0,
          );
          expect(personFrom(inTimeOrder).properties).toEqual(posthogInTimeOrder(events));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('merges (issue #16): the target wins on a conflict and each key keeps its time', () => {
  const mergeEvent = eventAt(50_000, {});
  const merge = (source: Person, target: Person) =>
    mergeTransition(target, source, {
      projectId: 1,
      personId: target.id,
      request: { kind: '$merge_dangerously', source: `d-${source.id}`, target: `d-${target.id}` },
      sourcePersonId: source.id,
      targetPersonId: target.id,
      event: { event: { ...mergeEvent, properties: {} }, warnings: [] },
    })!.after;

  /** The side whose state of `key` the merged person carries. */
  const sideOf = (key: string, source: Person, target: Person): Person => {
    if (Object.hasOwn(target.properties, key)) return target;
    if (Object.hasOwn(source.properties, key)) return source;
    const s = source.propertyWrites[key]?.t ?? '';
    const t = target.propertyWrites[key]?.t ?? '';
    return s > t ? source : target;
  };

  it('merged properties are {...S, ...T}; every key carries the write of the side its value came from', () => {
    const anyKeys = [...ONCE_KEYS, ...UNSET_KEYS];
    const events = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 100_000 }), updateArb(anyKeys, anyKeys, true)).map(([s, u]) => eventAt(s, u)),
      { minLength: 1, maxLength: 6 },
    );
    fc.assert(
      fc.property(events, events, (forSource, forTarget) => {
        const source = personFrom(forSource, 's');
        const target = personFrom(forTarget, 't');
        const merged = merge(source, target);
        expect(merged.properties).toEqual(mergeProperties(source.properties, target.properties));
        for (const key of anyKeys) {
          expect(merged.propertyWrites[key]).toEqual(sideOf(key, source, target).propertyWrites[key]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('events after a merge, in any order, treat each key as the side it came from would have', () => {
    const update = updateArb(ONCE_KEYS, UNSET_KEYS, false);
    const before = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 100_000 }), update).map(([s, u]) => eventAt(s, u)),
      { minLength: 1, maxLength: 5 },
    );
    fc.assert(
      fc.property(before, before, eventsAndArrival(update), (forSource, forTarget, { arrival }) => {
        const source = personFrom(forSource, 's');
        const target = personFrom(forTarget, 't');
        const after = withEvents(merge(source, target), arrival);
        for (const key of [...ONCE_KEYS, ...UNSET_KEYS, '$initial_referrer']) {
          const alone = withEvents(sideOf(key, source, target), arrival);
          expect([key, after.properties[key]]).toEqual([key, alone.properties[key]]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('the rule, case by case (issue #16)', () => {
  const person = (...events: IdentityEvent[]) => personFrom(events);

  it('a late, older $set does not overwrite a newer value; a newer one does', () => {
    const p = person(eventAt(10, { set: { plan: 'pro' } }), eventAt(5, { set: { plan: 'free' } }));
    expect(p.properties.plan).toBe('pro');
    expect(p.propertyWrites.plan).toEqual({ t: iso(10), op: 'set' });
    expect(withEvents(p, [eventAt(11, { set: { plan: 'team' } })]).properties.plan).toBe('team');
  });

  it('equal timestamps: the later-processed $set wins', () => {
    expect(person(eventAt(10, { set: { plan: 'pro' } }), eventAt(10, { set: { plan: 'free' } })).properties.plan).toBe(
      'free',
    );
  });

  it('a late first pageview fixes $initial_referrer: the earliest first touch wins', () => {
    const p = person(
      eventAt(100, { referrer: 'bing.com' }),
      eventAt(200, { referrer: 'duckduckgo.com' }),
      eventAt(1, { referrer: 'google.com' }),
    );
    expect(p.properties.$initial_referrer).toBe('google.com');
    expect(p.propertyWrites.$initial_referrer).toEqual({ t: iso(1), op: 'set_once' });
  });

  it('$set_once never replaces a $set value, even a newer one', () => {
    const p = person(eventAt(10, { set: { email: 'new@x.io' } }), eventAt(1, { setOnce: { email: 'old@x.io' } }));
    expect(p.properties.email).toBe('new@x.io');
  });

  it('$set replaces a $set_once value whatever its time (in time order the $set_once would have been skipped)', () => {
    const p = person(eventAt(10, { setOnce: { source: 'ad' } }), eventAt(5, { set: { source: 'manual' } }));
    expect(p.properties.source).toBe('manual');
    expect(p.propertyWrites.source).toEqual({ t: iso(5), op: 'set' });
  });

  it('$unset leaves a tombstone: a late $set older than it cannot bring the key back; a newer one can', () => {
    const p = person(eventAt(1, { set: { a: 1 } }), eventAt(10, { unset: ['a'] }), eventAt(5, { set: { a: 2 } }));
    expect(p.properties).not.toHaveProperty('a');
    expect(p.propertyWrites.a).toEqual({ t: iso(10), op: 'unset' });
    expect(withEvents(p, [eventAt(11, { set: { a: 3 } })]).properties.a).toBe(3);
  });

  it('a late $unset older than the value leaves it', () => {
    const p = person(eventAt(10, { set: { a: 1 } }), eventAt(5, { unset: ['a'] }));
    expect(p.properties.a).toBe(1);
  });

  it('a value stored before times were kept counts as set long ago', () => {
    const legacy: Person = { ...person(eventAt(1, {})), properties: { a: 'old', b: 'old' }, propertyWrites: {} };
    const p = withEvents(legacy, [eventAt(2, { setOnce: { a: 'once' }, set: { b: 'new' } })]);
    expect(p.properties).toEqual({ a: 'old', b: 'new' });
    expect(p.propertyWrites).toEqual({ b: { t: iso(2), op: 'set' } });
  });

  it('a newer $set of the value the key already has records the newer time (and bumps the version)', () => {
    const p = person(eventAt(1, { set: { plan: 'pro' } }));
    const again = withEvents(p, [eventAt(9, { set: { plan: 'pro' } })]);
    expect(again.propertyWrites.plan).toEqual({ t: iso(9), op: 'set' });
    expect(again.version).toBe(p.version + 1);
    // So a late event between the two cannot change it.
    expect(withEvents(again, [eventAt(5, { set: { plan: 'free' } })]).properties.plan).toBe('pro');
  });
});
