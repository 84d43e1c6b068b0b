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

/**
 * Cleans a parsed JSON value in place before it goes anywhere recursive (zod,
 * JSON.stringify, the queue's serializer): every string and key made well-formed,
 * and no object or array more than `levels` levels deep, counting `value` itself.
 * The walk never goes deeper than the limit, so a pathologically deep value
 * cannot exhaust the stack. Throws NestedTooDeep; returns the cleaned value.
 */
export function cleanJson(value: unknown, levels: number): unknown {
  const path: string[] = [];
  const walk = (v: unknown, left: number): unknown => {
    if (typeof v === 'string') return wellFormed(v);
    if (typeof v !== 'object' || v === null) return v;
    if (left === 0) throw new NestedTooDeep([...path]);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(String(i));
        const item = v[i];
        const cleaned = walk(item, left - 1);
        if (cleaned !== item) v[i] = cleaned;
        path.pop();
      }
      return v;
    }
    const object = v as Record<string, unknown>;
    let renameKeys = false;
    for (const key of Object.keys(object)) {
      path.push(key);
      const item = object[key];
      const cleaned = walk(item, left - 1);
      if (cleaned !== item) defineOwn(object, key, cleaned);
      path.pop();
      renameKeys ||= wellFormed(key) !== key;
    }
    if (!renameKeys) return object;
    const renamed: Record<string, unknown> = {};
    for (const key of Object.keys(object)) defineOwn(renamed, wellFormed(key), object[key]);
    return renamed;
  };
  return walk(value, levels);
}
