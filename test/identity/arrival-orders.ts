import fc from 'fast-check';
import {
  applyPropertyUpdates,
  newPersonProperties,
  propertyUpdatesOf,
  updateTransition,
  type IdentityEvent,
  type Person,
} from '../../src/identity';
import { eventOf } from '../support/events';

/**
 * Issue #16: person properties that do not depend on arrival order. The plain
 * model is PostHog's rule (spec §3, the untimed functions of properties.ts)
 * applied to the events sorted by timestamp.
 */

export const iso = (ms: number) => new Date(Date.UTC(2024, 0, 1) + ms * 1000).toISOString();

export interface Update {
  set?: Record<string, unknown>;
  setOnce?: Record<string, unknown>;
  unset?: string[];
  referrer?: string;
}

export let uuidCounter = 0;
export const eventAt = (second: number, u: Update): IdentityEvent =>
  eventOf({
    uuid: `00000000-0000-7000-8000-${String(++uuidCounter).padStart(12, '0')}`,
    timestamp: iso(second),
    properties: {
      ...(u.set ? { $set: u.set } : {}),
      ...(u.setOnce ? { $set_once: u.setOnce } : {}),
      ...(u.unset ? { $unset: u.unset } : {}),
      ...(u.referrer !== undefined ? { $referrer: u.referrer } : {}),
    },
  });

/** The person the events make, arriving in this order (the first creates it). */
export function personFrom(events: IdentityEvent[], id = 'p'): Person {
  const t = updateTransition(undefined, {
    projectId: 1,
    personId: id,
    createFor: `d-${id}`,
    distinctIds: [`d-${id}`],
    events: events.map((event) => ({ event, warnings: [] })),
  });
  return t!.after;
}

/** The same events applied to an existing person, in this order. */
export function withEvents(person: Person, events: IdentityEvent[]): Person {
  return updateTransition(person, {
    projectId: 1,
    personId: person.id,
    distinctIds: [`d-${person.id}`],
    events: events.map((event) => ({ event, warnings: [] })),
  })!.after;
}

/** PostHog: the events in timestamp order (ties in the given order), the first creating the person. */
export function posthogInTimeOrder(events: IdentityEvent[]): Record<string, unknown> {
  const sorted = [...events].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  const [first, ...rest] = sorted;
  let properties = newPersonProperties(propertyUpdatesOf(first!), first!.uuid);
  for (const e of rest) properties = applyPropertyUpdates(properties, propertyUpdatesOf(e)).properties;
  return properties;
}

/** Which event created the person is a fact about arrival: left out of comparisons. */
export const withoutCreator = ({ $creator_event_uuid: _, ...properties }: Record<string, unknown>) => properties;

export const value = fc.constantFrom<unknown>(0, 1, 'two', null, { three: [3] });
/** Keys that get `$set` and `$set_once`, keys that get `$set` and `$unset` (see the last describe for why). */
export const ONCE_KEYS = ['a', 'b', 'c'];
export const UNSET_KEYS = ['x', 'y', 'z'];

export const updateArb = (onceKeys: string[], unsetKeys: string[], overlapInEvent: boolean): fc.Arbitrary<Update> =>
  fc
    .record({
      set: fc.dictionary(fc.constantFrom(...onceKeys, ...unsetKeys), value, { maxKeys: 3 }),
      setOnce: fc.dictionary(fc.constantFrom(...onceKeys), value, { maxKeys: 3 }),
      unset: fc.subarray(unsetKeys),
      referrer: fc.option(fc.constantFrom('google.com', 'bing.com', '$direct'), { nil: undefined }),
    })
    .map((u) => ({
      ...u,
      // A new person ignores its first event's `$unset` (spec §3), so a key both
      // set and unset by one event would depend on which event came first.
      unset: overlapInEvent ? u.unset : u.unset.filter((k) => !(k in u.set) && !(k in u.setOnce)),
    }));

/** Events at distinct seconds, and a permutation of them. */
export const eventsAndArrival = (update: fc.Arbitrary<Update>) =>
  fc
    .uniqueArray(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 9 })
    .chain((seconds) =>
      fc.tuple(
        fc.tuple(...seconds.map((s) => update.map((u) => eventAt(s, u)))),
        fc.shuffledSubarray([...seconds.keys()], { minLength: seconds.length, maxLength: seconds.length }),
      ),
    )
    .map(([events, order]) => ({ events, arrival: order.map((i) => events[i]!) }));
