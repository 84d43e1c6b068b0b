/**
 * PostHog's `refresh` parameter (posthog/hogql_queries/query_runner.py, `ExecutionMode`) and
 * when a cached result is stale (posthog/caching/utils.py, `staleness_threshold_map`).
 */

export const REFRESH_MODES = [
  'force_blocking',
  'force_async',
  'blocking',
  'async',
  'async_except_on_cache_miss',
  'lazy_async',
  'force_cache',
] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];

/** `refresh=true` is `force_blocking`; absent, `false` or empty is `force_cache` (never calculate), as PostHog. */
export function refreshModeOf(value: string | undefined): RefreshMode | { invalid: string } {
  if (value === undefined || value === '' || value === 'false' || value === '0') return 'force_cache';
  if (value === 'true' || value === '1') return 'force_blocking';
  if ((REFRESH_MODES as readonly string[]).includes(value)) return value as RefreshMode;
  return {
    invalid: `refresh: expected one of true, false, ${REFRESH_MODES.join(', ')}; got ${JSON.stringify(value)}.`,
  };
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const STALE_AFTER: Record<string, number> = { none: 6 * HOUR, hour: HOUR, day: 6 * HOUR, week: DAY, month: DAY };
const LAZY_STALE_AFTER: Record<string, number> = {
  none: 12 * HOUR,
  hour: 2 * HOUR,
  day: 12 * HOUR,
  week: DAY,
  month: DAY,
};

/** The interval staleness follows: a trend's `interval`, retention's `period`, else none. */
export function intervalOf(source: Record<string, unknown>): string {
  if (typeof source.interval === 'string') return source.interval;
  const period = (source.retentionFilter as { period?: unknown } | undefined)?.period;
  if (typeof period === 'string') return period.toLowerCase();
  return 'none';
}

/** When a result computed at `lastRefresh` (ms) stops being fresh. */
export function staleAt(lastRefresh: number, interval: string, lazy = false): number {
  const table = lazy ? LAZY_STALE_AFTER : STALE_AFTER;
  return lastRefresh + (table[interval] ?? table.none!);
}

/**
 * What to do for a request: serve the cached result, calculate now (the answer waits), or serve
 * the cache and calculate after answering. `cachedAt` is the cached result's time (ms), if any.
 */
type RefreshPlan = 'serve_cache' | 'calculate' | 'serve_cache_and_calculate_after';

export function planRefresh(
  mode: RefreshMode,
  cachedAt: number | undefined,
  interval: string,
  now: number,
): RefreshPlan {
  const has = cachedAt !== undefined;
  const fresh = has && now <= staleAt(cachedAt, interval);
  const lazyFresh = has && now <= staleAt(cachedAt, interval, true);
  switch (mode) {
    case 'force_blocking':
      return 'calculate';
    case 'blocking':
      return fresh ? 'serve_cache' : 'calculate';
    case 'force_async':
      return 'serve_cache_and_calculate_after';
    case 'async':
      return fresh ? 'serve_cache' : 'serve_cache_and_calculate_after';
    case 'async_except_on_cache_miss':
      return !has ? 'calculate' : fresh ? 'serve_cache' : 'serve_cache_and_calculate_after';
    case 'lazy_async':
      return lazyFresh ? 'serve_cache' : 'serve_cache_and_calculate_after';
    case 'force_cache':
      return 'serve_cache';
  }
}
