import { defineOwn } from '../identity/properties';

/**
 * The string with lone UTF-16 surrogates (from `\ud800` escapes or lz-string)
 * replaced by U+FFFD, which is what UTF-8 storage would make of them anyway.
 * Identity code hashes distinct ids through encodeURIComponent, which throws on them.
 */
export const wellFormed = (text: string): string => (text.isWellFormed() ? text : text.toWellFormed());

/** A value nested past the limit; `path` holds the keys leading to it. */
export class NestedTooDeep extends Error {
  constructor(readonly path: string[]) {
    super('nested too deep');
  }
}

/** Thrown by the hot walk, which keeps no path; the path is found again only then. */
const TOO_DEEP = Symbol('too deep');

/**
 * Cleans a parsed JSON value in place before it goes anywhere recursive (zod,
 * JSON.stringify, the queue's serializer): every string and key made well-formed,
 * and no object or array more than `levels` levels deep, counting `value` itself.
 * The walk never goes deeper than the limit, so a pathologically deep value
 * cannot exhaust the stack. Throws NestedTooDeep; returns the cleaned value.
 */
export function cleanJson(value: unknown, levels: number): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (typeof value !== 'object' || value === null) return value;
  try {
    return cleanContainer(value, levels);
  } catch (err) {
    if (err !== TOO_DEEP) throw err;
    throw new NestedTooDeep(tooDeepPath(value, levels) ?? []);
  }
}

/** Cleans an object or array `left` levels may still hold (itself included); leaves are handled inline. */
function cleanContainer(v: object, left: number): unknown {
  if (left === 0) throw TOO_DEEP;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      if (typeof item === 'string') {
        if (!item.isWellFormed()) v[i] = item.toWellFormed();
      } else if (typeof item === 'object' && item !== null) {
        const cleaned = cleanContainer(item, left - 1);
        if (cleaned !== item) v[i] = cleaned;
      }
    }
    return v;
  }
  const object = v as Record<string, unknown>;
  let renameKeys = false;
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (typeof item === 'string') {
      if (!item.isWellFormed()) defineOwn(object, key, item.toWellFormed());
    } else if (typeof item === 'object' && item !== null) {
      const cleaned = cleanContainer(item, left - 1);
      if (cleaned !== item) defineOwn(object, key, cleaned);
    }
    renameKeys ||= !key.isWellFormed();
  }
  if (!renameKeys) return object;
  const renamed: Record<string, unknown> = {};
  for (const key of Object.keys(object)) defineOwn(renamed, wellFormed(key), object[key]);
  return renamed;
}

/**
 * The keys leading to the first value (depth first, in key order) nested past
 * the limit. The containers on that path were not renamed or replaced, so their
 * keys are as sent.
 */
function tooDeepPath(v: unknown, left: number): string[] | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (left === 0) return [];
  const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
  for (const [key, item] of entries) {
    const below = tooDeepPath(item, left - 1);
    if (below) return [key, ...below];
  }
  return undefined;
}
