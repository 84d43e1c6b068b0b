import { customType } from 'drizzle-orm/sqlite-core';
import { defineOwn } from '../identity/properties';
import type { PropertyOperation, PropertyWrites } from '../identity/types';

/**
 * How `persons.property_writes` is stored. A person's keys mostly share a few
 * timestamps (one event sets many keys), so the column keeps each timestamp
 * once: `{"v":2,"t":[timestamps],"w":{key: index * 3 + op}}`, about a third of
 * the first format's `{key: {"t": timestamp, "op": op}}`, which is still read.
 * The consumer reads and writes hundreds of persons per batch, and D1 time goes
 * with the bytes.
 */
const OPS: readonly PropertyOperation[] = ['set', 'set_once', 'unset'];

interface Compact {
  v: 2;
  t: string[];
  w: Record<string, number>;
}

export const encodePropertyWrites = (writes: PropertyWrites): string => JSON.stringify(compactPropertyWrites(writes));

/** The stored form as a value (for a row that travels as JSON: persons/writes.ts). */
export function compactPropertyWrites(writes: PropertyWrites): Compact {
  const times: string[] = [];
  const indexOf = new Map<string, number>();
  const w: Record<string, number> = {};
  for (const [key, { t, op }] of Object.entries(writes)) {
    let i = indexOf.get(t);
    if (i === undefined) {
      i = times.length;
      times.push(t);
      indexOf.set(t, i);
    }
    defineOwn(w, key, i * OPS.length + OPS.indexOf(op));
  }
  return { v: 2, t: times, w };
}

const isCompact = (value: unknown): value is Compact =>
  typeof value === 'object' &&
  value !== null &&
  (value as Compact).v === 2 &&
  Array.isArray((value as Compact).t) &&
  typeof (value as Compact).w === 'object';

/** Either format; a first-format value is an object per key, never the number 2, so `v` tells them apart. */
export function decodePropertyWrites(text: string): PropertyWrites {
  const stored: unknown = JSON.parse(text);
  if (!isCompact(stored)) return stored as PropertyWrites;
  const writes: PropertyWrites = {};
  for (const [key, n] of Object.entries(stored.w)) {
    const t = stored.t[Math.floor(n / OPS.length)];
    const op = OPS[n % OPS.length];
    if (t !== undefined && op !== undefined) defineOwn(writes, key, { t, op });
  }
  return writes;
}

export const propertyWritesColumn = customType<{ data: PropertyWrites; driverData: string }>({
  dataType: () => 'text',
  toDriver: encodePropertyWrites,
  fromDriver: decodePropertyWrites,
});
