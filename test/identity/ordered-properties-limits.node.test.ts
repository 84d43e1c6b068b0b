import { describe, expect, it } from 'vitest';
import { MAX_PROPERTY_WRITES_BYTES } from '../../src/identity';
import { iso, eventAt, personFrom, withEvents, posthogInTimeOrder, withoutCreator } from './arrival-orders';

describe('the limit of the rule: $set_once and $unset on one key from out-of-order events', () => {
  it('a late $unset newer than a first touch removes it; a later $set_once already seen stays gone', () => {
    // In time order: unset@1, once@5 → 'a', unset@6 → gone, once@8 → 'b'. Arriving
    // with once@8 before unset@6, 'b' was not kept (only the earliest first touch is),
    // so the key stays unset. Remembering every first touch would grow without bound.
    const events = [
      eventAt(1, { unset: ['k'] }),
      eventAt(5, { setOnce: { k: 'a' } }),
      eventAt(8, { setOnce: { k: 'b' } }),
      eventAt(6, { unset: ['k'] }),
    ];
    expect(posthogInTimeOrder(events).k).toBe('b');
    expect(personFrom(events).properties).not.toHaveProperty('k');
    const inOrder = [events[0]!, events[1]!, events[3]!, events[2]!];
    expect(personFrom(inOrder).properties.k).toBe('b');
  });
});

describe('the times stay small enough for the person row (D1 rows are at most 1 MB)', () => {
  it('past MAX_PROPERTY_WRITES_BYTES the oldest tombstones go, then the oldest times; properties all stay', () => {
    const keys = Array.from({ length: 9000 }, (_, i) => `k${i}`);
    const p = personFrom([
      eventAt(1, { unset: keys.map((k) => `gone_${k}`) }),
      ...Array.from({ length: 9 }, (_, chunk) =>
        eventAt(10 + chunk, {
          set: Object.fromEntries(keys.slice(chunk * 1000, chunk * 1000 + 1000).map((k) => [k, 1])),
        }),
      ),
    ]);
    expect(Object.keys(withoutCreator(p.properties))).toHaveLength(9000);
    expect(new TextEncoder().encode(JSON.stringify(p.propertyWrites)).byteLength).toBeLessThanOrEqual(
      MAX_PROPERTY_WRITES_BYTES,
    );
    expect(Object.values(p.propertyWrites).some((w) => w.op === 'unset')).toBe(false);
    // The newest times are the ones kept.
    expect(p.propertyWrites.k8999).toEqual({ t: iso(18), op: 'set' });
    expect(p.propertyWrites.k0).toBeUndefined();
    // A key that lost its time counts as set long ago: a timed $set of any age replaces it.
    expect(withEvents(p, [eventAt(2, { set: { k0: 2 } })]).properties.k0).toBe(2);
  });
});
