import { FILTERED_PERSON_UPDATE_PROPERTIES, PERSON_EVENTS } from './auto-properties';
import { utf8Within } from './limits';
import { defineOwn, deepEqual } from './properties';
import type { PropertyOperation, PropertyUpdates, PropertyWrite, PropertyWrites } from './types';

/**
 * Person property updates that do not depend on arrival order (README
 * "Property updates in any arrival order"). Each key remembers the time and
 * kind of the write that decided it; an update from an event at time `t`:
 *
 * - `$set`: applies unless the key was `$set` or `$unset` by a later event.
 *   It always replaces a `$set_once` value (in time order that value could
 *   not have been written over a `$set` one either).
 * - `$set_once`: applies when the key is absent (and not `$unset` later than
 *   `t`), or holds a `$set_once` value from a later event: the earliest
 *   first-touch wins. It never replaces a `$set` value.
 * - `$unset`: removes the key unless it was written later than `t`, and leaves
 *   a tombstone so a late `$set` older than `t` cannot bring it back.
 *
 * Equal times: the later-processed write wins (for `$set_once`, the value
 * already there stays), so events in time order give exactly PostHog's result.
 */

type Properties = Record<string, unknown>;

/** A value written before times were kept: set long ago, so any timed `$set` or `$unset` beats it. */
const LEGACY: PropertyWrite = { t: '', op: 'set' };

/** Whether time `a` is strictly later than `b` (ISO 8601; '' is the beginning of time). */
function isLater(a: string, b: string): boolean {
  if (a === '' || a === b) return false;
  if (b === '') return true;
  // toISOString() output (what capture stores) compares as text; anything else by value.
  if (a.length === 24 && b.length === 24 && a.endsWith('Z') && b.endsWith('Z')) return a > b;
  return Date.parse(a) > Date.parse(b);
}

interface TimedProperties {
  properties: Properties;
  writes: PropertyWrites;
}

/** What decided `key` now: its write, LEGACY for an untimed value, a tombstone, or null (never written). */
function deciding(state: TimedProperties, key: string): PropertyWrite | null {
  const write = Object.hasOwn(state.writes, key) ? state.writes[key]! : undefined;
  if (Object.hasOwn(state.properties, key)) return write && write.op !== 'unset' ? write : LEGACY;
  return write?.op === 'unset' ? write : null;
}

function setOnceApplies(current: PropertyWrite | null, t: string): boolean {
  if (!current) return true;
  if (current.op === 'set') return false;
  if (current.op === 'set_once') return isLater(current.t, t);
  return !isLater(current.t, t);
}

const setApplies = (current: PropertyWrite | null, t: string) =>
  !current || current.op === 'set_once' || !isLater(current.t, t);

const unsetApplies = (current: PropertyWrite | null, t: string) => !current || !isLater(current.t, t);

/**
 * One event's updates at time `t` (its `$set_once`, then `$set`, then
 * `$unset`, as in spec §3). `changed` is false when neither the properties
 * nor their times changed, so the caller can skip the write. `ignorable`
 * (PostHog's filtered person updates, given the event's name, as in
 * applyPropertyUpdates): the only changes are to keys of
 * FILTERED_PERSON_UPDATE_PROPERTIES the person already had, values or times.
 */
export function applyUpdatesAt(
  state: TimedProperties,
  u: PropertyUpdates,
  t: string,
  eventName?: string,
): TimedProperties & { changed: boolean; ignorable: boolean } {
  const properties: Properties = { ...state.properties };
  const writes: PropertyWrites = { ...state.writes };
  const next = { properties, writes };
  let changed = false;
  let significant = false;
  const filterable = eventName !== undefined && !PERSON_EVENTS.has(eventName);
  const counts = (key: string) => !filterable || !FILTERED_PERSON_UPDATE_PROPERTIES.has(key);
  const record = (key: string, op: PropertyOperation) => {
    const before = Object.hasOwn(writes, key) ? writes[key] : undefined;
    if (before?.t === t && before.op === op) return;
    defineOwn(writes, key, { t, op });
    changed = true;
    if (counts(key)) significant = true;
  };
  const write = (key: string, value: unknown, op: PropertyOperation) => {
    const had = Object.hasOwn(properties, key);
    if (!had || !deepEqual(properties[key], value)) {
      defineOwn(properties, key, value);
      changed = true;
      // As applyPropertyUpdates: a new key is a real change, except a `$set_once` of a filtered one.
      if (op === 'set_once' ? counts(key) : !had || counts(key)) significant = true;
    }
    record(key, op);
  };

  for (const [key, value] of Object.entries(u.setOnce)) {
    if (setOnceApplies(deciding(next, key), t)) write(key, value, 'set_once');
  }
  for (const [key, value] of Object.entries(u.set)) {
    if (setApplies(deciding(next, key), t)) write(key, value, 'set');
  }
  for (const key of u.unset) {
    if (!unsetApplies(deciding(next, key), t)) continue;
    if (Object.hasOwn(properties, key)) {
      delete properties[key];
      changed = true;
    }
    record(key, 'unset');
    significant = true;
  }
  return { properties, writes, changed, ignorable: changed && !significant };
}

/**
 * The times of a new person's properties (spec §3: `{...$set_once, ...$set}`;
 * its `$unset` removes nothing, but keys it names and does not set get a
 * tombstone, so an older event arriving later cannot set them).
 */
export function newPersonWrites(u: PropertyUpdates, t: string): PropertyWrites {
  const writes: PropertyWrites = {};
  for (const key of u.unset) defineOwn(writes, key, { t, op: 'unset' });
  for (const key of Object.keys(u.setOnce)) defineOwn(writes, key, { t, op: 'set_once' });
  for (const key of Object.keys(u.set)) defineOwn(writes, key, { t, op: 'set' });
  return writes;
}

/**
 * Spec §2 with times: the merged properties are `{...S, ...T}` (the target
 * wins on a conflicting key) and each surviving key keeps the time of the
 * side its value came from. A key absent from both keeps the later tombstone.
 */
export function mergeWrites(source: TimedProperties, target: TimedProperties): PropertyWrites {
  const writes: PropertyWrites = {};
  const tombstone = (side: TimedProperties, key: string) => {
    const w = Object.hasOwn(side.writes, key) ? side.writes[key]! : undefined;
    return w?.op === 'unset' && !Object.hasOwn(side.properties, key) ? w : undefined;
  };
  for (const key of new Set([...Object.keys(source.writes), ...Object.keys(target.writes)])) {
    const from = Object.hasOwn(target.properties, key) ? target : Object.hasOwn(source.properties, key) ? source : null;
    if (from) {
      const w = Object.hasOwn(from.writes, key) ? from.writes[key]! : undefined;
      if (w && w.op !== 'unset') defineOwn(writes, key, w);
      continue;
    }
    const s = tombstone(source, key);
    const tt = tombstone(target, key);
    const later = s && tt ? (isLater(s.t, tt.t) ? s : tt) : (s ?? tt);
    if (later) defineOwn(writes, key, later);
  }
  return writes;
}

/**
 * The times may not grow past this much JSON: with the 512 KB of properties
 * the person row stays under D1's 1 MB. Small keys cost more in times than in
 * values, so a person with tens of thousands of keys (or of `$unset`s) can
 * reach it.
 */
export const MAX_PROPERTY_WRITES_BYTES = 400 * 1024;

const encoder = new TextEncoder();

/**
 * Whether the JSON of `writes` is certainly within the limit, without writing it: a string's JSON
 * takes at most 6 bytes per UTF-16 unit (a `\u00XX` escape) and 2 quotes, and an entry
 * `"key":{"t":"…","op":"set_once"},` 22 more. Persons have tens of keys, far below it.
 */
function surelyWithin(writes: PropertyWrites): boolean {
  let bound = 2;
  for (const key of Object.keys(writes)) {
    const t = writes[key]?.t;
    if (typeof t !== 'string') return false;
    bound += 6 * key.length + 6 * t.length + 40;
    if (bound > MAX_PROPERTY_WRITES_BYTES) return false;
  }
  return true;
}

/**
 * `writes` within MAX_PROPERTY_WRITES_BYTES: past it, the oldest tombstones go
 * first, then the oldest times (those keys then count as set long ago). Nothing
 * of `properties` is lost; only order-independence for those keys is.
 */
export function withinWritesLimit(writes: PropertyWrites): PropertyWrites {
  if (surelyWithin(writes)) return writes;
  const json = JSON.stringify(writes);
  if (utf8Within(json, MAX_PROPERTY_WRITES_BYTES)) return writes;
  let size = encoder.encode(json).byteLength;
  const byAge = Object.entries(writes).sort(
    ([, a], [, b]) =>
      Number(b.op === 'unset') - Number(a.op === 'unset') || (isLater(a.t, b.t) ? 1 : isLater(b.t, a.t) ? -1 : 0),
  );
  const kept: PropertyWrites = { ...writes };
  for (const [key, w] of byAge) {
    if (size <= MAX_PROPERTY_WRITES_BYTES) break;
    delete kept[key];
    // `"key":{...},` as JSON.stringify writes it.
    size -= encoder.encode(JSON.stringify(key) + JSON.stringify(w)).byteLength + 2;
  }
  return kept;
}
