/**
 * Group rules as PostHog applies them (plugin-server `groupTypeManager`,
 * `upsertGroup`, `addGroupProperties`). Pure: no Cloudflare imports, no I/O.
 */
import type { Warning } from '../identity';

/** PostHog's limit of group types per project: indexes 0–4. */
export const MAX_GROUP_TYPES = 5;

/** Group type names and keys are bounded like distinct ids. */
export const MAX_GROUP_NAME_CHARS = 200;

export type GroupTypeIndex = 0 | 1 | 2 | 3 | 4;

/** The event property holding the key of the group of type `index`. */
const groupPropertyOf = (index: number) => `$group_${index}`;

/** Values SDKs produce by mistake; no group is ever called this. */
const MISTAKEN_NAMES = new Set(['[object Object]', 'null', 'undefined', 'NaN']);

type NameCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * A group type or key as sent: strings and finite numbers (PostHog stores
 * `key.toString()`), not blank, at most 200 characters, not an SDK mistake.
 */
export function checkGroupName(value: unknown): NameCheck {
  let name: string;
  if (typeof value === 'string') name = value;
  else if (typeof value === 'number' && Number.isFinite(value)) name = String(value);
  else
    return { ok: false, reason: value === undefined || value === null ? 'missing' : `not a string (${typeof value})` };
  if (name.trim() === '') return { ok: false, reason: 'blank' };
  if (Array.from(name).length > MAX_GROUP_NAME_CHARS)
    return { ok: false, reason: `longer than ${MAX_GROUP_NAME_CHARS} characters` };
  if (MISTAKEN_NAMES.has(name)) return { ok: false, reason: `the SDK mistake ${JSON.stringify(name)}` };
  return { ok: true, name };
}

export interface GroupRef {
  type: string;
  key: string;
}

export interface GroupProblem {
  field: string;
  /** What was sent, cut short for the warning. */
  value: string;
  reason: string;
}

const preview = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
};

const isPlainRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The groups an event belongs to (`properties.$groups`), and what was wrong with the others. */
export function groupsOfEvent(properties: Record<string, unknown>): { groups: GroupRef[]; problems: GroupProblem[] } {
  const raw = properties.$groups;
  if (raw === undefined || raw === null) return { groups: [], problems: [] };
  if (!isPlainRecord(raw))
    return { groups: [], problems: [{ field: '$groups', value: preview(raw), reason: 'not an object' }] };
  const groups: GroupRef[] = [];
  const problems: GroupProblem[] = [];
  for (const [type, key] of Object.entries(raw)) {
    const typeCheck = checkGroupName(type);
    if (!typeCheck.ok) {
      problems.push({ field: '$groups', value: preview(type), reason: `group type ${typeCheck.reason}` });
      continue;
    }
    const keyCheck = checkGroupName(key);
    if (!keyCheck.ok) {
      problems.push({ field: `$groups.${preview(type)}`, value: preview(key), reason: `group key ${keyCheck.reason}` });
      continue;
    }
    groups.push({ type: typeCheck.name, key: keyCheck.name });
  }
  return { groups, problems };
}

/** A `$groupidentify`: the group and its property updates. */
export interface GroupIdentify extends GroupRef {
  set: Record<string, unknown>;
  setOnce: Record<string, unknown>;
}

/**
 * `$groupidentify` carries `$group_type`, `$group_key`, `$group_set` (and
 * `$group_set_once`). Null for other events; problems when it names no valid group.
 */
export function groupIdentifyOf(
  event: string,
  properties: Record<string, unknown>,
): { identify: GroupIdentify | null; problems: GroupProblem[] } | null {
  if (event !== '$groupidentify') return null;
  const type = checkGroupName(properties.$group_type);
  const key = checkGroupName(properties.$group_key);
  const problems: GroupProblem[] = [];
  if (!type.ok) problems.push({ field: '$group_type', value: preview(properties.$group_type), reason: type.reason });
  if (!key.ok) problems.push({ field: '$group_key', value: preview(properties.$group_key), reason: key.reason });
  const set = properties.$group_set;
  const setOnce = properties.$group_set_once;
  if (set !== undefined && set !== null && !isPlainRecord(set))
    problems.push({ field: '$group_set', value: preview(set), reason: 'not an object' });
  if (setOnce !== undefined && setOnce !== null && !isPlainRecord(setOnce)) {
    problems.push({ field: '$group_set_once', value: preview(setOnce), reason: 'not an object' });
  }
  if (!type.ok || !key.ok) return { identify: null, problems };
  return {
    identify: {
      type: type.name,
      key: key.name,
      set: isPlainRecord(set) ? set : {},
      setOnce: isPlainRecord(setOnce) ? setOnce : {},
    },
    problems,
  };
}

const sameValue = (a: unknown, b: unknown) => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * PostHog's `calculateUpdate`: a shallow merge where `$group_set` overwrites
 * each key whose value differs and `$group_set_once` only fills missing keys.
 * `changed` is false when nothing would be written.
 */
export function applyGroupUpdates(
  current: Record<string, unknown>,
  updates: Pick<GroupIdentify, 'set' | 'setOnce'>[],
): { properties: Record<string, unknown>; changed: boolean } {
  const properties = { ...current };
  for (const { set, setOnce } of updates) {
    for (const [key, value] of Object.entries(setOnce)) if (!(key in properties)) properties[key] = value;
    for (const [key, value] of Object.entries(set))
      if (!(key in properties) || !sameValue(properties[key], value)) properties[key] = value;
  }
  // Compared at the end, so updates replayed on their own result (a retried message) change nothing.
  const changed =
    Object.keys(properties).length !== Object.keys(current).length ||
    Object.entries(properties).some(([key, value]) => !(key in current) || !sameValue(current[key], value));
  return { properties, changed };
}

/**
 * The reference model of type-index assignment: each type not yet mapped gets
 * the next free index in order of first appearance, until five are taken.
 */
export function assignGroupTypes(mapping: ReadonlyMap<string, number>, typesInOrder: string[]): Map<string, number> {
  const next = new Map(mapping);
  for (const type of typesInOrder) {
    if (next.has(type) || next.size >= MAX_GROUP_TYPES) continue;
    next.set(type, next.size);
  }
  return next;
}

/** `$group_N` set for each of the event's groups whose type is mapped (PostHog's `addGroupProperties`). */
export function withGroupProperties(
  properties: Record<string, unknown>,
  groups: GroupRef[],
  mapping: ReadonlyMap<string, number>,
): Record<string, unknown> {
  const added: Record<string, unknown> = {};
  for (const { type, key } of groups) {
    const index = mapping.get(type);
    if (index !== undefined) added[groupPropertyOf(index)] = key;
  }
  return Object.keys(added).length === 0 ? properties : { ...properties, ...added };
}

const GROUP_PROPERTIES = Array.from({ length: MAX_GROUP_TYPES }, (_, i) => groupPropertyOf(i));

/** The `$group_N` keys stored on an event, by index (strings only: what the columns hold). */
export function groupColumnsOf(properties: Record<string, unknown>): (string | null)[] {
  return GROUP_PROPERTIES.map((key) => {
    const value = properties[key];
    return typeof value === 'string' ? value : null;
  });
}

/** A group's properties may not grow past this much JSON (as a person's); the update is refused instead. */
const MAX_GROUP_PROPERTIES_BYTES = 512 * 1024;

const encoder = new TextEncoder();

export const groupPropertiesTooLarge = (properties: Record<string, unknown>) =>
  encoder.encode(JSON.stringify(properties)).byteLength > MAX_GROUP_PROPERTIES_BYTES;

export function groupPropertiesSizeViolation(
  eventUuid: string,
  groupTypeIndex: number,
  groupKey: string,
  properties: Record<string, unknown>,
): Warning {
  return {
    type: 'group_properties_size_violation',
    details: {
      eventUuid,
      groupTypeIndex,
      groupKey,
      size: encoder.encode(JSON.stringify(properties)).byteLength,
      limit: MAX_GROUP_PROPERTIES_BYTES,
    },
  };
}

const INVALID_GROUP = 'invalid_group';
const GROUP_TYPE_LIMIT = 'group_type_limit_exceeded';

/** The warnings of one event: its invalid groups, and the types that found no free index. */
export function groupWarnings(eventUuid: string, problems: GroupProblem[], unmappedTypes: string[]): Warning[] {
  const warnings: Warning[] = [];
  if (problems.length > 0) warnings.push({ type: INVALID_GROUP, details: { eventUuid, problems } });
  if (unmappedTypes.length > 0) {
    warnings.push({
      type: GROUP_TYPE_LIMIT,
      details: { eventUuid, groupTypes: unmappedTypes, limit: MAX_GROUP_TYPES },
    });
  }
  return warnings;
}

/**
 * The event row's `group_N` columns: only those the event has (an absent column is written as a
 * SQL null literal, no parameter).
 */
export function groupColumnValues(
  properties: Record<string, unknown>,
): Partial<Record<'group0' | 'group1' | 'group2' | 'group3' | 'group4', string>> {
  const columns: Partial<Record<'group0' | 'group1' | 'group2' | 'group3' | 'group4', string>> = {};
  groupColumnsOf(properties).forEach((key, i) => {
    if (key !== null) columns[`group${i}` as 'group0'] = key;
  });
  return columns;
}
