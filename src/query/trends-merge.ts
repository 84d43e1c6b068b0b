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
import { compareText } from './slices';

export interface Row {
  bucket: string;
  bv: string;
  value: number | null;
}

/** How a slice's rows of a bucket it does not hold whole are merged. */
export type PartialKind = 'add' | 'min' | 'max' | 'avg' | 'values' | 'set';

/** A partial row: `value` a number (add, min, max; avg's sum), `n` avg's count, `json` a JSON list (values, set). */
export interface PartialRow {
  bucket: string;
  bv: string;
  value?: number | null;
  n?: number;
  json?: string;
}

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
  set?: Set<unknown>;
}

/** Merges one series' slice results into its (bucket, breakdown value) rows. */
export class SeriesMerge {
  private readonly finals = new Map<string, Row>();
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
    for (const r of rows) {
      const key = `${r.bucket}\u0000${r.bv}`;
      const seen = this.finals.get(key);
      // Only counts can meet twice (a bucket is whole in one slice); they add.
      if (seen) seen.value = Number(seen.value ?? 0) + Number(r.value ?? 0);
      else this.finals.set(key, { bucket: r.bucket, bv: r.bv, value: r.value });
    }
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
        for (const x of JSON.parse(r.json ?? '[]') as (number | null)[]) if (x !== null) values.push(Number(x));
        this.hold(values.length);
        return;
      }
      case 'set': {
        const set = (acc.set ??= new Set());
        const before = set.size;
        for (const x of JSON.parse(r.json ?? '[]') as unknown[]) if (x !== null) set.add(x);
        this.hold(set.size - before);
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
        return acc.set?.size ?? 0;
    }
  }

  rows(): Row[] {
    const out = [...this.finals.values()];
    for (const { bucket, bv, acc } of this.partials.values()) {
      // A quantile of a bucket without any value has no row (as the SQL's `val IS NOT NULL`).
      if (this.kind === 'values' && !acc.values?.length) continue;
      out.push({ bucket, bv, value: this.final(acc) });
    }
    return out;
  }
}

/**
 * PostHog's breakdown limit over merged rows: values ranked by their total over
 * the buckets (larger first, then by value in SQLite's text order); those past
 * `limit` summed per bucket into `otherKey`.
 */
export function limitBreakdown(rows: Row[], limit: number, otherKey: string): Row[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.bv, (totals.get(r.bv) ?? 0) + Number(r.value ?? 0));
  const ranked = [...totals].sort(([a, ta], [b, tb]) => (ta !== tb ? tb - ta : compareText(a, b)));
  const kept = new Set(ranked.slice(0, limit).map(([bv]) => bv));
  const out = new Map<string, Row>();
  for (const r of rows) {
    const bv = kept.has(r.bv) ? r.bv : otherKey;
    const key = `${r.bucket}\u0000${bv}`;
    const seen = out.get(key);
    if (seen) seen.value = Number(seen.value ?? 0) + Number(r.value ?? 0);
    else out.set(key, { bucket: r.bucket, bv, value: Number(r.value ?? 0) });
  }
  return [...out.values()];
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
