/**
 * A trends series read in slices (slices.ts), merged in the Worker. A slice
 * that holds whole buckets returns each bucket's final value; a bucket that
 * spans several slices gets a partial from each, merged here as its math
 * needs: counts and sums add, min/max keep the extreme, avg adds sums and
 * counts, quantiles gather the values, distinct counts unite the sets. Then
 * PostHog's breakdown limit is applied to the merged totals.
 *
 * No Cloudflare imports: tested in plain Node.
 */

export interface Row {
  bucket: string;
  bv: string;
  value: number | null;
}

/** How a slice's rows of a bucket it does not hold whole are merged. */
export type PartialKind = 'add' | 'min' | 'max' | 'avg' | 'values' | 'set';

/** A partial row: `value` a number (add, min, max; avg's sum), `n` avg's count, `json` a list (values, set). */
export interface PartialRow {
  bucket: string;
  bv: string;
  value?: number | null;
  n?: number | null;
  /** JSON text of the list, or the list itself (JSON values packed into JSON arrive parsed). */
  json?: string | unknown[] | null;
}

const listOf = (json: PartialRow['json']): unknown[] =>
  Array.isArray(json) ? json : typeof json === 'string' ? (JSON.parse(json) as unknown[]) : [];

/** ClickHouse's interpolated quantile as the series SQL computes it (trends-series.ts). */
export function quantileOf(values: number[], level: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = level * (sorted.length - 1);
  const i = Math.trunc(at);
  const f = at - i;
  const lo = sorted[i]!;
  return lo * (1 - f) + (sorted[i + 1] ?? lo) * f;
}

interface Acc {
  value: number | null;
  n: number;
  values?: number[];
  /** A distinct count's values: its first slice's list as it came, a set once a second slice adds to it. */
  first?: unknown[];
  set?: Set<unknown>;
}

/** Merges one series' slice results into its (bucket, breakdown value) rows. */
export class SeriesMerge {
  /** Rows of buckets held whole by a slice: each bucket is whole in one slice only, so they need no merging. */
  private readonly finals: Row[] = [];
  private readonly partials = new Map<string, { bucket: string; bv: string; acc: Acc }>();
  private held = 0;

  constructor(
    private readonly kind: PartialKind,
    /** The quantile level, for `values`. */
    private readonly level: number,
    /** Values one merge may hold (sets and quantile values of buckets spanning slices); over it, `onTooMany` throws. */
    private readonly maxHeld: number,
    private readonly onTooMany: () => Error,
  ) {}

  /** Final values of buckets a slice held whole. */
  addWhole(rows: Row[]): void {
    for (const r of rows) this.finals.push(r);
  }

  addPartial(rows: PartialRow[]): void {
    for (const r of rows) {
      const key = `${r.bucket}\u0000${r.bv}`;
      let entry = this.partials.get(key);
      if (!entry) this.partials.set(key, (entry = { bucket: r.bucket, bv: r.bv, acc: { value: null, n: 0 } }));
      this.mergeInto(entry.acc, r);
    }
  }

  private mergeInto(acc: Acc, r: PartialRow): void {
    const v = r.value === undefined || r.value === null ? null : Number(r.value);
    switch (this.kind) {
      case 'add':
        acc.value = (acc.value ?? 0) + (v ?? 0);
        return;
      case 'min':
        if (v !== null) acc.value = acc.value === null ? v : Math.min(acc.value, v);
        return;
      case 'max':
        if (v !== null) acc.value = acc.value === null ? v : Math.max(acc.value, v);
        return;
      case 'avg':
        if (v !== null) acc.value = (acc.value ?? 0) + v;
        acc.n += Number(r.n ?? 0);
        return;
      case 'values': {
        const values = (acc.values ??= []);
        const before = values.length;
        for (const x of listOf(r.json)) if (x !== null) values.push(Number(x));
        this.hold(values.length - before);
        return;
      }
      case 'set': {
        const list = listOf(r.json).filter((x) => x !== null);
        if (!acc.first && !acc.set) {
          // Distinct already (the slice's DISTINCT): a set only when another slice adds to the bucket.
          acc.first = list;
          this.hold(list.length);
          return;
        }
        if (!acc.set) {
          acc.set = new Set(acc.first);
          acc.first = undefined;
        }
        const before = acc.set.size;
        for (const x of list) acc.set.add(x);
        this.hold(acc.set.size - before);
        return;
      }
    }
  }

  private hold(added: number): void {
    this.held += added;
    if (this.held > this.maxHeld) throw this.onTooMany();
  }

  private final(acc: Acc): number | null {
    switch (this.kind) {
      case 'add':
        return acc.value ?? 0;
      case 'min':
      case 'max':
        return acc.value ?? 0;
      case 'avg':
        return acc.n > 0 ? (acc.value ?? 0) / acc.n : 0;
      case 'values':
        return quantileOf(acc.values!, this.level);
      case 'set':
        return acc.set?.size ?? acc.first?.length ?? 0;
    }
  }

  rows(): Row[] {
    const out = [...this.finals];
    for (const { bucket, bv, acc } of this.partials.values()) {
      // A quantile of a bucket without any value has no row (as the SQL's `val IS NOT NULL`).
      if (this.kind === 'values' && !acc.values?.length) continue;
      out.push({ bucket, bv, value: this.final(acc) });
    }
    return out;
  }
}

/**
 * A key whose UTF-16 order (JavaScript's `<`, a native sort) is the code point
 * order of `text` (SQLite's text order): surrogates move above U+E000–U+FFFF.
 */
function codePointKey(text: string): string {
  if (!/[\uD800-\uFFFF]/.test(text)) return text;
  return text.replace(/[\uD800-\uFFFF]/g, (c) => {
    const unit = c.charCodeAt(0);
    return String.fromCharCode(unit >= 0xe000 ? unit - 0x800 : unit + 0x2000);
  });
}

/** Rows merged between two pauses. */
const PAUSE_EVERY = 50_000;

/** The `limit` values ranked first: the largest totals, ties by value in SQLite's text order. */
function topValues(totals: Map<string, number>, limit: number): Set<string> {
  if (totals.size <= limit) return new Set(totals.keys());
  const sorted = Float64Array.from(totals.values()).sort();
  const threshold = sorted[sorted.length - limit]!;
  const kept = new Set<string>();
  const ties: string[] = [];
  for (const [bv, total] of totals) {
    if (total > threshold) kept.add(bv);
    else if (total === threshold) ties.push(bv);
  }
  for (const bv of smallest(ties, limit - kept.size)) kept.add(bv);
  return kept;
}

/** The `n` first of `values` in code point order, by a max-heap of n: O(values × log n), not a sort of all. */
function smallest(values: string[], n: number): string[] {
  const heap: [string, string][] = [];
  const above = (i: number, j: number) => heap[i]![0] > heap[j]![0];
  const swap = (i: number, j: number) => {
    [heap[i], heap[j]] = [heap[j]!, heap[i]!];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < heap.length && above(l, top)) top = l;
      if (r < heap.length && above(r, top)) top = r;
      if (top === i) return;
      swap(i, top);
      i = top;
    }
  };
  for (const bv of values) {
    const key = codePointKey(bv);
    if (heap.length < n) {
      heap.push([key, bv]);
      for (let i = heap.length - 1; i > 0 && above(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
    } else if (n > 0 && key < heap[0]![0]) {
      heap[0] = [key, bv];
      down(0);
    }
  }
  return heap.map(([, bv]) => bv);
}

/**
 * PostHog's breakdown limit over merged rows (one per bucket and value): values
 * ranked by their total over the buckets (larger first, then by value in
 * SQLite's text order); those past `limit` summed per bucket into `otherKey`.
 */
export async function limitBreakdown(
  rows: Row[],
  limit: number,
  otherKey: string,
  /** Lets other requests run between chunks (hundreds of thousands of values take a while). */
  pause: () => Promise<void> = async () => {},
): Promise<Row[]> {
  const totals = new Map<string, number>();
  for (const [i, r] of rows.entries()) {
    totals.set(r.bv, (totals.get(r.bv) ?? 0) + Number(r.value ?? 0));
    if (i % PAUSE_EVERY === PAUSE_EVERY - 1) await pause();
  }
  const kept = topValues(totals, limit);
  await pause();
  const out: Row[] = [];
  const other = new Map<string, number>();
  for (const [i, r] of rows.entries()) {
    if (kept.has(r.bv)) out.push({ bucket: r.bucket, bv: r.bv, value: Number(r.value ?? 0) });
    else other.set(r.bucket, (other.get(r.bucket) ?? 0) + Number(r.value ?? 0));
    if (i % PAUSE_EVERY === PAUSE_EVERY - 1) await pause();
  }
  for (const [bucket, value] of other) out.push({ bucket, bv: otherKey, value });
  return out;
}

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/**
 * Weekly/monthly active users from each actor's active days (local 'YYYY-MM-DD'):
 * a bucket's value is the actors with an active day in the `window` days ending
 * with the bucket's day; with `since` (aggregate displays) one value per
 * breakdown value: the actors active on or after that day.
 */
export function activeUsers(
  days: Map<string, { bv: string; days: Set<string> }>,
  window: number,
  buckets: { keys: string[] } | { since: string },
): Row[] {
  const counts = new Map<string, Row>();
  const count = (bucket: string, bv: string) => {
    const key = `${bucket}\u0000${bv}`;
    const seen = counts.get(key);
    if (seen) seen.value = Number(seen.value) + 1;
    else counts.set(key, { bucket, bv, value: 1 });
  };
  if ('since' in buckets) {
    const first = dayNumber(buckets.since) - (window - 1);
    for (const { bv, days: active } of days.values()) {
      for (const d of active) {
        if (dayNumber(d) >= first) {
          count('', bv);
          break;
        }
      }
    }
    return [...counts.values()];
  }
  const keyOf = new Map(buckets.keys.map((k) => [dayNumber(k), k]));
  for (const { bv, days: active } of days.values()) {
    const sorted = [...active].map(dayNumber).sort((a, b) => a - b);
    // Each active day covers the days up to `window` on, or to the next active day: every bucket once.
    for (const [i, d] of sorted.entries()) {
      const stop = Math.min(d + window, sorted[i + 1] ?? Number.POSITIVE_INFINITY);
      for (let b = d; b < stop; b++) {
        const key = keyOf.get(b);
        if (key !== undefined) count(key, bv);
      }
    }
  }
  return [...counts.values()];
}
