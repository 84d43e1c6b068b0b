import { describe, expect, it } from 'vitest';
import { decodePropertyWrites, encodePropertyWrites } from '../../src/db/property-writes-column';
import type { PropertyWrites } from '../../src/identity';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

describe('persons.property_writes as stored', () => {
  it('keeps each timestamp once and reads back exactly what was written, in key order', () => {
    const writes: PropertyWrites = {};
    for (let i = 0; i < 40; i++) writes[`$initial_key_${i}`] = { t: at(i % 3), op: i % 2 ? 'set_once' : 'set' };
    writes.gone = { t: at(7), op: 'unset' };
    const text = encodePropertyWrites(writes);
    expect(JSON.parse(text).t).toEqual([at(0), at(1), at(2), at(7)]);
    const decoded = decodePropertyWrites(text);
    expect(decoded).toEqual(writes);
    expect(Object.keys(decoded)).toEqual(Object.keys(writes));
    // The first format spells every write out: the stored text is well under half of it.
    expect(text.length).toBeLessThan(JSON.stringify(writes).length / 2);
  });

  it('reads the first format, one {t, op} per key, as it was', () => {
    const first = { v: { t: at(1), op: 'set' }, w: { t: at(2), op: 'unset' }, plan: { t: at(3), op: 'set_once' } };
    expect(decodePropertyWrites(JSON.stringify(first))).toEqual(first);
    expect(decodePropertyWrites('{}')).toEqual({});
  });

  it('keeps keys that are special to JavaScript objects as plain keys', () => {
    const writes = JSON.parse(
      `{"__proto__":{"t":"${at(1)}","op":"set"},"constructor":{"t":"${at(2)}","op":"set_once"}}`,
    ) as PropertyWrites;
    const decoded = decodePropertyWrites(encodePropertyWrites(writes));
    expect(Object.keys(decoded)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(writes));
  });
});
