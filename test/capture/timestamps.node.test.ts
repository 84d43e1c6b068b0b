import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkedEventTimestamp, eventTimestamp, sentAtOf } from '../../src/capture/timestamps';

const now = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const H = 3_600_000;

describe('eventTimestamp', () => {
  it('corrects client clock skew with sent_at: now + (timestamp − sent_at)', () => {
    // A client whose clock is 2 days behind, event recorded 5 s before sending.
    const sentAt = now - 48 * H;
    expect(eventTimestamp({ timestamp: iso(sentAt - 5000) }, sentAt, now)).toBe(iso(now - 5000));
    // A client 3 hours ahead.
    expect(eventTimestamp({ timestamp: iso(now + 3 * H - 1234) }, now + 3 * H, now)).toBe(iso(now - 1234));
  });

  it('takes the timestamp as given without sent_at, or with $ignore_sent_at', () => {
    expect(eventTimestamp({ timestamp: '2024-05-06T07:08:09.123Z' }, undefined, now)).toBe('2024-05-06T07:08:09.123Z');
    expect(eventTimestamp({ timestamp: '2024-05-06T07:08:09.123Z', ignoreSentAt: true }, now - H, now)).toBe(
      '2024-05-06T07:08:09.123Z',
    );
    expect(eventTimestamp({ timestamp: '2024-05-06T09:08:09+02:00' }, undefined, now)).toBe('2024-05-06T07:08:09.000Z');
  });

  it('uses now − offset', () => {
    expect(eventTimestamp({ offset: 1500 }, undefined, now)).toBe(iso(now - 1500));
    expect(eventTimestamp({ offset: 1500 }, now - H, now)).toBe(iso(now - 1500));
  });

  it('prefers timestamp over offset', () => {
    expect(eventTimestamp({ timestamp: '2024-01-01T00:00:00.000Z', offset: 1500 }, undefined, now)).toBe(
      '2024-01-01T00:00:00.000Z',
    );
  });

  it('uses now when there is nothing, or the timestamp is unusable', () => {
    expect(eventTimestamp({}, undefined, now)).toBe(iso(now));
    expect(eventTimestamp({ timestamp: 'yesterday-ish' }, now, now)).toBe(iso(now));
    expect(eventTimestamp({ timestamp: '' }, undefined, now)).toBe(iso(now));
  });

  it('clamps more than 23 hours in the future to now', () => {
    expect(eventTimestamp({ timestamp: iso(now + 23 * H) }, undefined, now)).toBe(iso(now + 23 * H));
    expect(eventTimestamp({ timestamp: iso(now + 23 * H + 1) }, undefined, now)).toBe(iso(now));
    expect(eventTimestamp({ offset: -24 * H }, undefined, now)).toBe(iso(now));
    expect(eventTimestamp({ timestamp: iso(now + 30 * H) }, now - H, now)).toBe(iso(now));
    expect(eventTimestamp({ timestamp: '+275760-09-13T00:00:00.000Z' }, undefined, now)).toBe(iso(now));
  });

  it('accepts epoch-ms timestamps', () => {
    expect(eventTimestamp({ timestamp: now - 1000 }, undefined, now)).toBe(iso(now - 1000));
  });
});

describe('checkedEventTimestamp: PostHog ingestion warnings', () => {
  const check = (clock: Parameters<typeof checkedEventTimestamp>[0], sentAt?: number) =>
    checkedEventTimestamp(clock, sentAt, now);

  it('keeps a usable time without a warning', () => {
    expect(check({ timestamp: iso(now - H) })).toEqual({ timestamp: iso(now - H) });
    expect(check({ timestamp: '1970-01-01T00:00:00.000Z' })).toEqual({ timestamp: '1970-01-01T00:00:00.000Z' });
    expect(check({})).toEqual({ timestamp: iso(now) });
  });

  it('any timestamp, offset and sent_at (query sent_at may be any digits): an ISO time, never a RangeError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)),
        fc.option(fc.double()),
        fc.option(fc.oneof(fc.double(), fc.constant(1e20), fc.integer({ min: -9e15, max: 9e15 }))),
        (timestamp, offset, sentAt) => {
          const r = checkedEventTimestamp({ timestamp, offset }, sentAt ?? undefined, now);
          expect(Date.parse(r.timestamp)).toBeGreaterThanOrEqual(0);
          expect(Date.parse(r.timestamp)).toBeLessThanOrEqual(now + 23 * H);
        },
      ),
      { numRuns: 5000, seed: 30 },
    );
  });

  it('an unparseable timestamp: now, ignored_invalid_timestamp', () => {
    const r = check({ timestamp: 'notISO' });
    expect(r.timestamp).toBe(iso(now));
    expect(r.warning).toMatchObject({ type: 'ignored_invalid_timestamp', details: { value: 'notISO' } });
  });

  it('more than 23 hours ahead: now, event_timestamp_in_future', () => {
    for (const clock of [{ timestamp: iso(now + 24 * H) }, { offset: -30 * H }]) {
      const r = check(clock);
      expect(r.timestamp).toBe(iso(now));
      expect(r.warning?.type).toBe('event_timestamp_in_future');
    }
  });

  it('before 1970 (year 1, negative epoch ms, skew pushing it back): the epoch, ignored_invalid_timestamp', () => {
    const cases = [
      { timestamp: '0001-01-01T00:00:00Z' },
      { timestamp: -1 },
      { timestamp: -62_000_000_000_000 },
      { timestamp: '1969-12-31T23:59:59.999Z' },
    ];
    for (const clock of cases) {
      const r = check(clock);
      expect(r.timestamp).toBe('1970-01-01T00:00:00.000Z');
      expect(r.warning).toMatchObject({ type: 'ignored_invalid_timestamp', details: { reason: 'out of bounds' } });
    }
    // A client clock far ahead moves a 1971 timestamp before 1970.
    const r = check({ timestamp: '1971-01-01T00:00:00Z' }, now + 3 * 365 * 24 * H * 20);
    expect(r.timestamp).toBe('1970-01-01T00:00:00.000Z');
    expect(r.warning?.type).toBe('ignored_invalid_timestamp');
  });
});

describe('sentAtOf', () => {
  const q = (s: string) => new URLSearchParams(s);
  it('takes the body sent_at first', () => {
    expect(sentAtOf('2026-03-01T11:00:00.000Z', q(`sent_at=${now}`))).toBe(now - H);
  });
  it('else query sent_at, then _ (epoch ms)', () => {
    expect(sentAtOf(undefined, q(`sent_at=${now - 5}&_=${now}`))).toBe(now - 5);
    expect(sentAtOf(undefined, q(`_=${now}`))).toBe(now);
    expect(sentAtOf('not a date', q(`_=${now}`))).toBe(now);
  });
  it('ignores query values before 2021 or not numbers', () => {
    expect(sentAtOf(undefined, q(`_=${Date.parse('2020-12-31T23:59:59Z')}`))).toBeUndefined();
    expect(sentAtOf(undefined, q('_=12345'))).toBeUndefined();
    expect(sentAtOf(undefined, q('sent_at=abc'))).toBeUndefined();
    expect(sentAtOf(undefined, q(''))).toBeUndefined();
  });
});
