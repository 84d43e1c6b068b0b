/**
 * `weekly_active` / `monthly_active` from each actor's active days (read slice
 * by slice, trends-slices.ts): a bucket's value is the actors with an event in
 * the window of `window` days ending with the bucket's day. Each actor's
 * sorted active days become disjoint spans [day, min(day + window, next
 * active day)), each spread over the few days it covers (at most `window`),
 * counted where a day is a bucket key: the work grows with the actors' active
 * days, not with buckets × events.
 *
 * No Cloudflare imports: tested in plain Node.
 */
import type { Row } from './trends-merge';

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/**
 * From each actor's active days (local 'YYYY-MM-DD'), each bucket's value; with
 * `since` (aggregate displays) one value per breakdown value: the actors active
 * on or after that day.
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
