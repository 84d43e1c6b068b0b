import { FILTERED_PERSON_UPDATE_PROPERTIES, PERSON_EVENTS, automaticPersonUpdates } from './auto-properties';
import type { IdentityEvent, PropertyUpdates } from './types';

type Properties = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Properties {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const objectOrEmpty = (value: unknown): Properties => (isPlainObject(value) ? value : {});

/** `$unset` is a list of keys, or an object whose keys are removed. */
function unsetKeysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((key): key is string => typeof key === 'string');
  if (isPlainObject(value)) return Object.keys(value);
  return [];
}

/**
 * Spec §3: the person updates one event asks for. The automatic ones (browser,
 * URL, campaign, GeoIP: auto-properties.ts) first, then `properties.*`, then the
 * top-level `$set` / `$set_once` win on the same key.
 */
export function propertyUpdatesOf(e: IdentityEvent): PropertyUpdates {
  const p = e.properties;
  const automatic = automaticPersonUpdates(p);
  return {
    set: { ...automatic.set, ...objectOrEmpty(p.$set), ...objectOrEmpty(e.$set) },
    setOnce: {
      ...automatic.setOnce,
      ...objectOrEmpty(p.$set_once),
      ...objectOrEmpty(e.$set_once),
    },
    unset: unsetKeysOf(p.$unset),
  };
}

/**
 * Spec §3, on an existing person: `$set_once` for absent keys, then `$set`, then `$unset`.
 * `changed` is false when the result equals the input, so the caller can skip the write.
 * `ignorable` (PostHog's filtered person updates, given the event's name): the only
 * changes are new values of keys in FILTERED_PERSON_UPDATE_PROPERTIES the person
 * already had, which are not worth a write of their own.
 */
export function applyPropertyUpdates(
  properties: Properties,
  u: PropertyUpdates,
  eventName?: string,
): { properties: Properties; changed: boolean; ignorable: boolean } {
  const result: Properties = { ...properties };
  let changed = false;
  let significant = false;
  const filterable = eventName !== undefined && !PERSON_EVENTS.has(eventName);
  const counts = (key: string) => !filterable || !FILTERED_PERSON_UPDATE_PROPERTIES.has(key);
  for (const [key, value] of Object.entries(u.setOnce)) {
    if (Object.hasOwn(result, key)) continue;
    defineOwn(result, key, value);
    changed = true;
    if (counts(key)) significant = true;
  }
  for (const [key, value] of Object.entries(u.set)) {
    const had = Object.hasOwn(result, key);
    if (had && deepEqual(result[key], value)) continue;
    defineOwn(result, key, value);
    changed = true;
    if (!had || counts(key)) significant = true;
  }
  for (const key of u.unset) {
    if (!Object.hasOwn(result, key)) continue;
    delete result[key];
    changed = true;
    significant = true;
  }
  return { properties: result, changed, ignorable: changed && !significant };
}

/** Spec §3, creating a person. */
export function newPersonProperties(u: PropertyUpdates, eventUuid: string): Properties {
  return { ...u.setOnce, ...u.set, $creator_event_uuid: eventUuid };
}

/** Spec §2: merging S into T, the target wins on a conflicting key. */
export function mergeProperties(source: Properties, target: Properties): Properties {
  return { ...source, ...target };
}

/**
 * Assignment that treats `__proto__` (valid JSON) as the plain key it is: assigning it would
 * change the prototype instead. Every other key is assigned (defineProperty on each key
 * would turn the object into a slow dictionary).
 */
export function defineOwn(target: Properties, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Properties;
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((k) => Object.hasOwn(b, k) && deepEqual((a as Properties)[k], bRecord[k]));
}
