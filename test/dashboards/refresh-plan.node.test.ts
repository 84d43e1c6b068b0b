// PostHog's refresh modes and staleness thresholds, against a table written from
// posthog/hogql_queries/query_runner.py and posthog/caching/utils.py.
import { describe, expect, it } from 'vitest';
import { applyDashboardFilters } from '../../src/dashboards/dashboard-filters';
import { intervalOf, planRefresh, REFRESH_MODES, refreshModeOf } from '../../src/dashboards/refresh';

const HOUR = 3_600_000;
const STALE_AFTER_HOURS: Record<string, number> = { hour: 1, day: 6, week: 24, month: 24, none: 6 };
const LAZY_STALE_AFTER_HOURS: Record<string, number> = { hour: 2, day: 12, week: 24, month: 24, none: 12 };

describe('refresh', () => {
  it('maps the parameter as execution_mode_from_refresh does', () => {
    expect(refreshModeOf(undefined)).toBe('force_cache');
    expect(refreshModeOf('true')).toBe('force_blocking');
    expect(refreshModeOf('false')).toBe('force_cache');
    for (const mode of REFRESH_MODES) expect(refreshModeOf(mode)).toBe(mode);
    expect(refreshModeOf('soon')).toHaveProperty('invalid');
  });

  it('serves or calculates by mode, cache state and age', () => {
    const now = 1_000 * HOUR;
    for (const [interval, hours] of Object.entries(STALE_AFTER_HOURS)) {
      const states = { missing: undefined, fresh: now - hours * HOUR, stale: now - hours * HOUR - 1 };
      for (const [state, cachedAt] of Object.entries(states)) {
        const model = {
          force_blocking: 'calculate',
          blocking: state === 'fresh' ? 'serve_cache' : 'calculate',
          force_async: 'serve_cache_and_calculate_after',
          async: state === 'fresh' ? 'serve_cache' : 'serve_cache_and_calculate_after',
          async_except_on_cache_miss:
            state === 'missing' ? 'calculate' : state === 'fresh' ? 'serve_cache' : 'serve_cache_and_calculate_after',
          lazy_async:
            cachedAt !== undefined && now - cachedAt <= LAZY_STALE_AFTER_HOURS[interval]! * HOUR
              ? 'serve_cache'
              : 'serve_cache_and_calculate_after',
          force_cache: 'serve_cache',
        } as const;
        for (const mode of REFRESH_MODES)
          expect(planRefresh(mode, cachedAt, interval, now), `${mode} ${interval} ${state}`).toBe(model[mode]);
      }
    }
    expect(intervalOf({ retentionFilter: { period: 'Week' } })).toBe('week');
    expect(intervalOf({ kind: 'FunnelsQuery' })).toBe('none');
  });
});

describe('dashboard filters', () => {
  const event = (key: string) => ({ key, value: 'x', operator: 'exact', type: 'event' });
  it('replace the whole date range and AND the properties, as apply_dashboard_filters', () => {
    const source = { kind: 'TrendsQuery', dateRange: { date_from: '-7d', date_to: '-1d' }, properties: [event('a')] };
    expect(applyDashboardFilters(source, { date_from: '-30d', properties: [event('b')] })).toEqual({
      kind: 'TrendsQuery',
      dateRange: { date_from: '-30d', date_to: null },
      properties: {
        type: 'AND',
        values: [
          { type: 'AND', values: [event('a')] },
          { type: 'AND', values: [event('b')] },
        ],
      },
    });
    expect(applyDashboardFilters({ kind: 'TrendsQuery' }, { properties: [event('b')] })).toEqual({
      kind: 'TrendsQuery',
      properties: [event('b')],
    });
    expect(
      applyDashboardFilters(
        { kind: 'EventsQuery', properties: [event('a')] },
        { date_to: '2024-01-01', properties: [event('b')] },
      ),
    ).toEqual({
      kind: 'EventsQuery',
      after: undefined,
      before: '2024-01-01',
      properties: [event('a'), event('b')],
    });
    expect(applyDashboardFilters(source, {})).toEqual(source);
  });
});
