import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NestedTooDeep, cleanJson } from '../../src/capture/clean-json';

/** The rule written out plainly, keeping the path on the way down: what cleanJson must do. */
function model(value: unknown, levels: number): { value: unknown } | { path: string[] } {
  const path: string[] = [];
  const walk = (v: unknown, left: number): unknown => {
    if (typeof v === 'string') return v.toWellFormed();
    if (typeof v !== 'object' || v === null) return v;
    if (left === 0) throw new NestedTooDeep([...path]);
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    const cleaned = entries.map(([key, item]) => {
      path.push(key);
      const out = [key.toWellFormed(), walk(item, left - 1)] as const;
      path.pop();
      return out;
    });
    if (Array.isArray(v)) return cleaned.map(([, x]) => x);
    const object: Record<string, unknown> = {};
    for (const [key, x] of cleaned)
      Object.defineProperty(object, key, { value: x, enumerable: true, writable: true, configurable: true });
    return object;
  };
  try {
    return { value: walk(value, levels) };
  } catch (err) {
    if (err instanceof NestedTooDeep) return { path: err.path };
    throw err;
  }
}

/** Strings with lone surrogates in values and keys, and `__proto__` keys, nested a few levels. */
const text = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('\ud800', 'a\udfff', '__proto__', '😀'));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.constantFrom(null, true),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('cleanJson', () => {
  it('cleans what the plain walk cleans, and reports the same path when too deep', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 1, max: 4 }), (value, levels) => {
        const want = model(structuredClone(value), levels);
        let got: { value: unknown } | { path: string[] };
        try {
          got = { value: cleanJson(structuredClone(value), levels) };
        } catch (err) {
          if (!(err instanceof NestedTooDeep)) throw err;
          got = { path: err.path };
        }
        expect(got).toEqual(want);
        if ('value' in got) expect(JSON.stringify(got.value)).toBe(JSON.stringify((want as { value: unknown }).value));
      }),
      { numRuns: 1_000 },
    );
  });
});
