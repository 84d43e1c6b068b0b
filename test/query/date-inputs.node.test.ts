import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePoint, resolveDateRange } from '../../src/query/date-range';
import { QueryError } from '../../src/query/errors';

/**
 * Every date input the query endpoint takes (trends/funnels `dateRange`,
 * EventsQuery `after`/`before`, retention `date_to`) goes through parsePoint or
 * resolveDateRange: whatever the string, the answer is an instant in years
 * 1–9999 or a 400 QueryError naming the field, never another error (a 500).
 */
const NOW = Date.UTC(2026, 4, 17, 13, 45);
const ZONES = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Chatham'];
const UNITS = ['h', 'H', 'd', 'w', 'm', 'M', 'q', 'y', 'x', 's', 'D', 'Y', ''];
const SUFFIXES = ['', 'Start', 'End', 'start', 'xx'];

const numberText = fc.oneof(
  fc.integer({ min: 0, max: 999_999 }).map(String),
  fc.constantFrom('999999', '1e9', 'NaN', 'Infinity', '-0', '0x10', '9'.repeat(40), '1.5', ''),
);
const relative = fc
  .tuple(fc.constantFrom('-', '', '+', '--'), numberText, fc.constantFrom(...UNITS), fc.constantFrom(...SUFFIXES))
  .map(([sign, n, unit, suffix]) => `${sign}${n}${unit}${suffix}`);
const isoLike = fc
  .tuple(
    fc.integer({ min: -1, max: 99_999 }),
    fc.integer({ min: -1, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.constantFrom('', 'T00:00', 'T23:59:59.999Z', ' 24:00:00', 'T12:00:00+14:00', 'T12:00-12:00', 'T99:99'),
  )
  .map(
    ([y, m, d, time]) =>
      `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${time}`,
  );
const dateText = fc.oneof(
  relative,
  isoLike,
  fc.string({ maxLength: 30 }),
  fc.constantFrom('all', 'dStart', 'mStart', 'yStart', 'wStart', 'qStart', '-999999y', '-999999q', '-999999m'),
);

function expectBounded(run: () => unknown): void {
  try {
    const instant = run();
    if (typeof instant === 'number') {
      expect(Number.isFinite(instant)).toBe(true);
      expect(new Date(instant).toISOString()).toMatch(/^\d{4}-/);
    }
  } catch (error) {
    expect(error, String(error)).toBeInstanceOf(QueryError);
    expect((error as QueryError).status).toBe(400);
    expect((error as QueryError).attr).toMatch(/^query\./);
  }
}

describe('date inputs: an instant or a 400 naming the field', () => {
  it('the attack strings of issue 30 are 400s, not RangeErrors', () => {
    for (const value of ['-999999y', '-999999m', '-999999q', '-999999w', '-999999d', '-99999y', '-9999yStart']) {
      for (const timezone of ZONES) {
        expect(() => parsePoint(value, 'query.after', timezone, NOW)).toThrow(QueryError);
      }
    }
    // The largest relative amounts that stay in range still work.
    expect(parsePoint('-2000y', 'query.after', 'UTC', NOW).instant).toBeLessThan(0);
    expect(parsePoint('-56y', 'query.after', 'UTC', NOW).instant).toBe(Date.UTC(1970, 4, 17, 13, 45));
  });

  it('parsePoint: any string, any zone', () => {
    fc.assert(
      fc.property(dateText, fc.constantFrom(...ZONES), (value, timezone) => {
        expectBounded(() => parsePoint(value, 'query.before', timezone, NOW).instant);
      }),
      { numRuns: 3000, seed: 30 },
    );
  });

  it('resolveDateRange: any date_from/date_to pair, interval, explicitDate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(dateText),
        fc.option(dateText),
        fc.constantFrom('hour', 'day', 'week', 'month' as const),
        fc.boolean(),
        fc.constantFrom(...ZONES),
        fc.option(fc.integer({ min: -62_000_000_000_000, max: 300_000_000_000_000 })),
        async (from, to, interval, explicitDate, timezone, earliest) => {
          try {
            const range = await resolveDateRange(
              { date_from: from, date_to: to, explicitDate },
              {
                interval,
                timezone,
                now: NOW,
                defaultFrom: '-7d',
                earliest: async () => earliest ?? undefined,
                attr: 'query.dateRange',
              },
            );
            // From 1970, widened to the start of its first bucket (a month at most).
            expect(range.from).toBeGreaterThanOrEqual(Date.UTC(1969, 11, 1));
            expect(range.to).toBeGreaterThan(range.from);
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(QueryError);
            expect((error as QueryError).status).toBe(400);
          }
        },
      ),
      { numRuns: 2000, seed: 31 },
    );
  });
});
