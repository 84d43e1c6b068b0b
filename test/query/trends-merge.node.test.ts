/**
 * The Worker-side merge of a trends series read in slices (src/query/trends-merge.ts),
 * against plain models: a bucket's events split at random into slices and merged give the
 * value computed over all of them at once; weekly/monthly active users equal the brute-force
 * count of actors active in each window; the breakdown limit ranks as SQLite orders text.
 */
import { describe, expect, it } from 'vitest';
import { compareText } from '../../src/query/slices';
import {
  type PartialKind,
  type PartialRow,
  SeriesMerge,
  activeUsers,
  limitBreakdown,
} from '../../src/query/trends-merge';

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ev {
  bucket: string;
  bv: string;
  actor: string;
  value: number | null;
}

/** The value of one bucket and breakdown value computed over all its events at once. */
function model(kind: PartialKind, level: number, events: Ev[]): number | undefined {
  const values = events.map((e) => e.value).filter((v): v is number => v !== null);
  switch (kind) {
    case 'add':
      return values.reduce((a, b) => a + b, 0);
    case 'min':
      return values.length ? Math.min(...values) : 0;
    case 'max':
      return values.length ? Math.max(...values) : 0;
    case 'avg':
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    case 'set':
      return new Set(events.map((e) => e.actor)).size;
    case 'values': {
      if (!values.length) return undefined;
      const s = [...values].sort((a, b) => a - b);
      const idx = level * (s.length - 1);
      const lo = Math.floor(idx);
      return s[lo]! * (1 - (idx - lo)) + (s[lo + 1] ?? s[lo]!) * (idx - lo);
    }
  }
}

/** One slice's partial rows, as the slice statement computes them (trends-slices.ts). */
function partialOf(kind: PartialKind, events: Ev[]): PartialRow[] {
  const groups = new Map<string, Ev[]>();
  for (const e of events) {
    const key = `${e.bucket}|${e.bv}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.values()].flatMap((g): PartialRow[] => {
    const { bucket, bv } = g[0]!;
    const values = g.map((e) => e.value).filter((v): v is number => v !== null);
    const sum = values.length ? values.reduce((a, b) => a + b, 0) : null;
    switch (kind) {
      case 'add':
        return [{ bucket, bv, value: sum ?? 0 }];
      case 'min':
        return [{ bucket, bv, value: values.length ? Math.min(...values) : null }];
      case 'max':
        return [{ bucket, bv, value: values.length ? Math.max(...values) : null }];
      case 'avg':
        return [{ bucket, bv, value: sum, n: values.length }];
      case 'set':
        return [{ bucket, bv, json: JSON.stringify([...new Set(g.map((e) => e.actor))]) }];
      case 'values':
        return values.length ? [{ bucket, bv, json: JSON.stringify(values) }] : [];
      default:
        return [];
    }
  });
}

describe('SeriesMerge', () => {
  const kinds: [PartialKind, number][] = [
    ['add', 0],
    ['min', 0],
    ['max', 0],
    ['avg', 0],
    ['set', 0],
    ['values', 0.5],
    ['values', 0.9],
  ];
  for (const [kind, level] of kinds) {
    it(`${kind}${level ? ` ${level}` : ''}: slices merged give the value over all events at once`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const r = rng(seed);
        const events: Ev[] = Array.from({ length: 1 + Math.floor(r() * 60) }, () => ({
          bucket: `b${Math.floor(r() * 3)}`,
          bv: `v${Math.floor(r() * 2)}`,
          actor: `a${Math.floor(r() * 10)}`,
          value: r() < 0.2 ? null : Math.round(r() * 1000) / 8,
        }));
        const merge = new SeriesMerge(kind, level, 1_000_000, () => new Error('too many'));
        for (let i = 0; i < events.length; ) {
          const n = 1 + Math.floor(r() * 8);
          merge.addPartial(partialOf(kind, events.slice(i, i + n)));
          i += n;
        }
        const byKey = new Map<string, Ev[]>();
        for (const e of events) byKey.set(`${e.bucket}|${e.bv}`, [...(byKey.get(`${e.bucket}|${e.bv}`) ?? []), e]);
        const expected = [...byKey]
          .map(([key, g]) => [key, model(kind, level, g)] as const)
          .filter(([, v]) => v !== undefined);
        const actual = new Map<string, number | null>(
          merge.rows().map((row) => [`${row.bucket}|${row.bv}`, row.value]),
        );
        expect(actual.size).toBe(expected.length);
        for (const [key, v] of expected) expect(actual.get(key), `${seed} ${key}`).toBeCloseTo(v!, 9);
      }
    });
  }

  it('refuses to hold more distinct values than its limit', () => {
    const merge = new SeriesMerge('set', 0, 3, () => new Error('too many'));
    merge.addPartial([{ bucket: 'b', bv: '', json: '["a","b","c"]' }]);
    merge.addPartial([{ bucket: 'b', bv: '', json: '["a","b"]' }]);
    expect(() => merge.addPartial([{ bucket: 'b', bv: '', json: '["d"]' }])).toThrow('too many');
  });
});

describe('activeUsers', () => {
  const day = (n: number) => new Date(Date.UTC(2024, 1, 20) + n * 86_400_000).toISOString().slice(0, 10);
  for (const window of [7, 30]) {
    it(`window of ${window} days: the actors with an active day in each bucket's window (brute force)`, () => {
      const r = rng(window);
      const days = new Map<string, { bv: string; days: Set<string> }>();
      for (let a = 0; a < 40; a++) {
        const bv = a % 3 === 0 ? 'x' : 'y';
        days.set(`${bv}|${a}`, {
          bv,
          days: new Set(Array.from({ length: 1 + Math.floor(r() * 6) }, () => day(Math.floor(r() * 60)))),
        });
      }
      const keys = Array.from({ length: 40 }, (_, i) => day(10 + i));
      const expected = new Map<string, number>();
      for (const k of keys) {
        for (const { bv, days: active } of days.values()) {
          const hit = [...active].some((d) => d <= k && Date.parse(k) - Date.parse(d) < window * 86_400_000);
          if (hit) expected.set(`${k}|${bv}`, (expected.get(`${k}|${bv}`) ?? 0) + 1);
        }
      }
      const actual = new Map(activeUsers(days, window, { keys }).map((row) => [`${row.bucket}|${row.bv}`, row.value]));
      expect(actual).toEqual(expected);
      const since = day(30);
      const aggregate = new Map(activeUsers(days, window, { since }).map((row) => [row.bv, row.value]));
      const first = Date.parse(since) - (window - 1) * 86_400_000;
      for (const bv of ['x', 'y']) {
        const n = [...days.values()].filter(
          (a) => a.bv === bv && [...a.days].some((d) => Date.parse(d) >= first),
        ).length;
        expect(aggregate.get(bv) ?? 0).toBe(n);
      }
    });
  }
});

describe('limitBreakdown', () => {
  it('keeps the largest totals, ties in SQLite text order (code points), the rest summed into other', async () => {
    // U+FFFD sorts before U+1F600 in code points (UTF-8), after it in UTF-16 code units.
    const rows = [
      { bucket: 'd1', bv: '\u{1F600}', value: 2 },
      { bucket: 'd2', bv: '\uFFFD', value: 2 },
      { bucket: 'd1', bv: 'b', value: 5 },
      { bucket: 'd1', bv: 'a', value: 1 },
    ];
    expect(compareText('\uFFFD', '\u{1F600}')).toBeLessThan(0);
    const out = await limitBreakdown(rows, 2, 'other');
    const byKey = Object.fromEntries(out.map((r) => [`${r.bucket}|${r.bv}`, r.value]));
    expect(byKey).toEqual({ 'd1|b': 5, 'd2|\uFFFD': 2, 'd1|other': 3 });
  });

  it('ranks as a full sort by total, then by code points, would (random values, many ties)', async () => {
    const alphabet = ['a', 'b', '\uFFFD', '\uE000', '\u{1F600}', '\u{10000}', 'z'];
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const rows = Array.from({ length: 300 }, (_, i) => ({
        bucket: `d${i % 3}`,
        bv: Array.from({ length: 1 + Math.floor(r() * 3) }, () => alphabet[Math.floor(r() * alphabet.length)]).join(''),
        value: Math.floor(r() * 3),
      }));
      const unique = new Map(rows.map((row) => [`${row.bucket}|${row.bv}`, row]));
      const input = [...unique.values()];
      const limit = 1 + Math.floor(r() * 10);
      const totals = new Map<string, number>();
      for (const row of input) totals.set(row.bv, (totals.get(row.bv) ?? 0) + row.value);
      const expected = new Set(
        [...totals]
          .sort(([a, ta], [b, tb]) => tb - ta || compareText(a, b))
          .slice(0, limit)
          .map(([bv]) => bv),
      );
      const kept = new Set(
        (await limitBreakdown(input, limit, 'other')).map((row) => row.bv).filter((bv) => bv !== 'other'),
      );
      expect(kept, `seed ${seed}`).toEqual(expected);
    }
  });
});
