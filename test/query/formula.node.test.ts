import { describe, expect, it } from 'vitest';
import { QueryError } from '../../src/query/errors';
import { evaluateFormula, parseFormula } from '../../src/query/formula';

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

/**
 * Random formulas printed twice: as a user writes them (Python's precedence, as few parentheses as
 * it needs, random case and spaces) and fully parenthesised as JavaScript with Python's division,
 * modulo and power spelled out. The JavaScript is the model; the parser must agree with it.
 */
type Tree =
  | { n: number }
  | { s: number }
  | { neg: Tree }
  | { op: '+' | '-' | '*' | '/' | '%' | '**'; l: Tree; r: Tree };

const PREC = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '**': 4 } as const;

function gen(r: ReturnType<typeof rng>, depth: number, series: number): Tree {
  if (depth === 0 || r.chance(0.25)) return r.chance(0.6) ? { s: r.int(0, series - 1) } : { n: r.int(0, 9) };
  if (r.chance(0.15)) return { neg: gen(r, depth - 1, series) };
  const op = r.pick(['+', '-', '*', '/', '%', '**'] as const);
  return { op, l: gen(r, depth - 1, series), r: gen(r, depth - 1, series) };
}

/** Python text; `ctx` is the binding power the position needs. */
function py(t: Tree, r: ReturnType<typeof rng>, ctx = 0): string {
  if ('n' in t) return String(t.n);
  if ('s' in t) {
    const letter = String.fromCharCode(65 + t.s);
    return r.chance(0.5) ? letter : letter.toLowerCase();
  }
  if ('neg' in t) {
    const text = `-${py(t.neg, r, 3)}`;
    return ctx > 3 ? `(${text})` : text;
  }
  const p = PREC[t.op];
  // ** is right-associative: its left side binds tighter; the others are left-associative.
  const left = py(t.l, r, t.op === '**' ? p + 1 : p);
  const right = py(t.r, r, t.op === '**' ? 3 : p + 1);
  const text = `${left}${r.chance(0.5) ? ' ' : ''}${t.op}${r.chance(0.5) ? ' ' : ''}${right}`;
  return ctx > p ? `(${text})` : text;
}

function js(t: Tree, values: number[]): number {
  if ('n' in t) return t.n;
  if ('s' in t) return values[t.s]!;
  if ('neg' in t) return -js(t.neg, values);
  const a = js(t.l, values);
  const b = js(t.r, values);
  switch (t.op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? 0 : a / b;
    case '%':
      if (b === 0) return 0;
      // CPython's float_rem: fmod, then moved by the divisor when the signs differ.
      return a % b !== 0 && Math.sign(a % b) !== Math.sign(b) ? (a % b) + b : a % b;
    case '**':
      return a === 0 && b < 0 ? 0 : a ** b;
  }
}

const same = (a: number, b: number) =>
  (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('trends formulas', () => {
  it('agree with the model on random formulas', () => {
    const r = rng(5);
    for (let k = 0; k < 2_000; k++) {
      const series = r.int(1, 4);
      const tree = gen(r, r.int(1, 5), series);
      const text = py(tree, r);
      const values = Array.from({ length: series }, () => r.int(-20, 50));
      const node = parseFormula(text, series, 'f');
      expect(same(evaluateFormula(node, values), js(tree, values)), `${text} with ${values}`).toBe(true);
    }
  });

  it.each([
    ['A + D', 'references series D, but only 3 series are defined (A, B, C)'],
    ['sum(A)', 'not SUM()'],
    ['A // B', 'not FloorDiv'],
    ['A > B', 'unexpected'],
    ['(A + B', 'not closed'],
    ['A +', 'ends too early'],
    ['AB + 1', 'references series AB'],
    [`${'('.repeat(80)}A${')'.repeat(80)}`, 'nests deeper'],
  ])('refuses %s with a 400 naming the field', (text, message) => {
    let error: unknown;
    try {
      parseFormula(text, 3, 'query.trendsFilter.formula');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).attr).toBe('query.trendsFilter.formula');
    expect((error as QueryError).detail).toContain(message);
  });
});
