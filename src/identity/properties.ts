import type { IdentityEvent, PropertyUpdates } from './types';

/** Keys posthog-js sends on events that a person-processed event also sets as `$initial_*` once. */
export const INITIAL_PROPERTY_KEYS = [
  '$current_url',
  '$referrer',
  '$referring_domain',
  '$browser',
  '$os',
  '$device_type',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'gclid',
  'fbclid',
  'msclkid',
] as const;

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

function initialPropertiesOf(properties: Properties): Properties {
  const initial: Properties = {};
  for (const key of INITIAL_PROPERTY_KEYS) {
    if (properties[key] !== undefined) initial[`$initial_${key.replace(/^\$/, '')}`] = properties[key];
  }
  return initial;
}

/**
 * Spec §3: the person updates one event asks for. `properties.*` first, then the
 * top-level `$set` / `$set_once` win on the same key; explicit `$set_once` beats `$initial_*`.
 */
export function propertyUpdatesOf(e: IdentityEvent): PropertyUpdates {
  const p = e.properties;
  return {
    set: { ...objectOrEmpty(p.$set), ...objectOrEmpty(e.$set) },
    setOnce: {
      ...initialPropertiesOf(p),
      ...objectOrEmpty(p.$set_once),
      ...objectOrEmpty(e.$set_once),
    },
    unset: unsetKeysOf(p.$unset),
  };
}

/**
 * Spec §3, on an existing person: `$set_once` for absent keys, then `$set`, then `$unset`.
 * `changed` is false when the result equals the input, so the caller can skip the write.
 */
export function applyPropertyUpdates(
  properties: Properties,
  u: PropertyUpdates,
): { properties: Properties; changed: boolean } {
  const result: Properties = { ...properties };
  let changed = false;
  for (const [key, value] of Object.entries(u.setOnce)) {
    if (Object.hasOwn(result, key)) continue;
    defineOwn(result, key, value);
    changed = true;
  }
  for (const [key, value] of Object.entries(u.set)) {
    if (Object.hasOwn(result, key) && deepEqual(result[key], value)) continue;
    defineOwn(result, key, value);
    changed = true;
  }
  for (const key of u.unset) {
    if (!Object.hasOwn(result, key)) continue;
    delete result[key];
    changed = true;
  }
  return { properties: result, changed };
}

/** Spec §3, creating a person. */
export function newPersonProperties(u: PropertyUpdates, eventUuid: string): Properties {
  return { ...u.setOnce, ...u.set, $creator_event_uuid: eventUuid };
}

/** Spec §2: merging S into T, the target wins on a conflicting key. */
export function mergeProperties(source: Properties, target: Properties): Properties {
  return { ...source, ...target };
}

/** Plain assignment of a key like `__proto__` (valid JSON) would change the prototype instead. */
export function defineOwn(target: Properties, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
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
