import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { enrichProperties, geoipOf } from '../../src/capture/enrich';
import { messagesOf } from '../../src/capture/enqueue';
import { CaptureError } from '../../src/http/capture-errors';
import { MAX_EVENT_BYTES, MAX_INLINE_EVENT_BYTES, MAX_MESSAGE_BYTES } from '../../src/capture/limits';
import { capturedEventOf, truncated } from '../../src/capture/normalize';
import { batchOf } from '../../src/capture/shapes';
import type { CapturedEvent } from '../../src/queue/message';

const now = Date.parse('2026-03-01T12:00:00.000Z');
const one = (payload: unknown, sentAt?: number) => capturedEventOf(batchOf(payload).events[0]!, { now, sentAt });

describe('capturedEventOf', () => {
  it('keeps a given uuid (lowercased) and generates a UUIDv7 otherwise', () => {
    expect(one({ event: 'e', distinct_id: 'd', uuid: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B' }).uuid).toBe(
      '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    );
    for (const uuid of [undefined, '', null]) {
      const generated = one({ event: 'e', distinct_id: 'd', uuid }).uuid;
      expect(validate(generated)).toBe(true);
      expect(version(generated)).toBe(7);
    }
    expect(one({ event: 'e', distinct_id: 'd' }).uuid).not.toBe(one({ event: 'e', distinct_id: 'd' }).uuid);
  });

  it('truncates event names and distinct ids to 200 characters', () => {
    const e = one({ event: 'x'.repeat(250), distinct_id: 'y'.repeat(201) });
    expect(e.event).toBe('x'.repeat(200));
    expect(e.distinct_id).toBe('y'.repeat(200));
    expect(truncated('🚀'.repeat(300))).toBe('🚀'.repeat(200));
  });

  it('puts top-level $set/$set_once in their fields and corrects the timestamp', () => {
    const e = one(
      {
        event: '$identify',
        distinct_id: 'u',
        $set: { a: 1 },
        $set_once: { b: 2 },
        properties: { $anon_distinct_id: 'anon' },
        timestamp: '2026-03-01T11:00:00.000Z',
      },
      Date.parse('2026-03-01T11:00:10.000Z'),
    );
    expect(e).toEqual({
      uuid: expect.any(String),
      event: '$identify',
      distinct_id: 'u',
      properties: { $anon_distinct_id: 'anon' },
      timestamp: '2026-03-01T11:59:50.000Z',
      $set: { a: 1 },
      $set_once: { b: 2 },
    });
  });

  it('honours properties.$ignore_sent_at', () => {
    expect(
      one(
        { event: 'e', distinct_id: 'd', timestamp: '2020-01-01T00:00:00.000Z', properties: { $ignore_sent_at: true } },
        now - 5000,
      ).timestamp,
    ).toBe('2020-01-01T00:00:00.000Z');
  });
});

describe('enrichProperties', () => {
  const cf = {
    country: 'DE',
    continent: 'EU',
    city: 'Berlin',
    region: 'Land Berlin',
    regionCode: 'BE',
    postalCode: '10115',
    timezone: 'Europe/Berlin',
    latitude: '52.52000',
    longitude: '13.40500',
  };

  it('adds $ip and $geoip_* from the request', () => {
    const props: Record<string, unknown> = { a: 1 };
    enrichProperties(props, { ip: '203.0.113.9', geo: geoipOf(cf) });
    expect(props).toMatchObject({
      a: 1,
      $ip: '203.0.113.9',
      $geoip_country_code: 'DE',
      $geoip_continent_code: 'EU',
      $geoip_continent_name: 'Europe',
      $geoip_city_name: 'Berlin',
      $geoip_subdivision_1_code: 'BE',
      $geoip_subdivision_1_name: 'Land Berlin',
      $geoip_postal_code: '10115',
      $geoip_time_zone: 'Europe/Berlin',
      $geoip_latitude: 52.52,
      $geoip_longitude: 13.405,
    });
  });

  it('adds nothing when $geoip_disable is set', () => {
    const props: Record<string, unknown> = { $geoip_disable: true };
    enrichProperties(props, { ip: '203.0.113.9', geo: geoipOf(cf) });
    expect(props).toEqual({ $geoip_disable: true });
  });

  it('keeps an $ip the sender set, without the edge location', () => {
    const props: Record<string, unknown> = { $ip: '198.51.100.1' };
    enrichProperties(props, { ip: '203.0.113.9', geo: geoipOf(cf) });
    expect(props).toEqual({ $ip: '198.51.100.1' });
  });

  it('does not overwrite $geoip_* the sender set, and tolerates no cf', () => {
    const props: Record<string, unknown> = { $geoip_city_name: 'Paris' };
    enrichProperties(props, { ip: '203.0.113.9', geo: geoipOf(cf) });
    expect(props.$geoip_city_name).toBe('Paris');
    const bare: Record<string, unknown> = {};
    enrichProperties(bare, { ip: null, geo: geoipOf(undefined) });
    expect(bare).toEqual({});
    expect(geoipOf({ country: 'XX' })).toEqual({ $geoip_country_code: 'XX' });
  });
});

describe('messagesOf', () => {
  const ev = (i: number, size = 100): CapturedEvent => ({
    uuid: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    event: 'e',
    distinct_id: 'd',
    properties: { pad: 'x'.repeat(size) },
    timestamp: '2026-01-01T00:00:00.000Z',
  });
  const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).byteLength;

  it('puts a small request in one message', () => {
    const events = [ev(1), ev(2), ev(3)];
    const { messages, staged } = messagesOf(7, events);
    expect(staged).toEqual([]);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.body).toEqual({ projectId: 7, events });
    expect(messages[0]!.bytes).toBe(bytes(messages[0]!.body));
  });

  it('splits in order only where a message would pass the limit, measuring exactly', () => {
    const events = Array.from({ length: 30 }, (_, i) => ev(i, 10_000 + i * 37));
    const { messages } = messagesOf(7, events);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.flatMap((m) => m.body.events)).toEqual(events);
    for (const [i, m] of messages.entries()) {
      expect(m.bytes).toBe(bytes(m.body));
      expect(m.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      const next = messages[i + 1]?.body.events[0];
      if (next) expect(m.bytes + 1 + bytes(next)).toBeGreaterThan(MAX_MESSAGE_BYTES);
    }
  });

  it('counts multi-byte characters as bytes', () => {
    const events = Array.from({ length: 4 }, (_, i) => ({ ...ev(i), properties: { pad: '🚀'.repeat(9_000) } }));
    for (const m of messagesOf(1, events).messages) expect(bytes(m.body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('sends a request that fits one message whole, even with a large event', () => {
    const events = [ev(1), ev(2, MAX_INLINE_EVENT_BYTES)];
    const body = { projectId: 1, events };
    // With the JSON it was sized by: what the queue is sent.
    const encoded = new TextEncoder().encode(JSON.stringify(body));
    expect(messagesOf(1, events)).toEqual({ messages: [{ body, bytes: bytes(body), encoded }], staged: [] });
  });

  it('stages an event too large for a message and carries its uuid in its place', () => {
    const events = [ev(1), ev(2, MAX_INLINE_EVENT_BYTES), ev(3, 30_000)];
    const { messages, staged } = messagesOf(1, events);
    expect(staged).toEqual([events[1]]);
    expect(messages.flatMap((m) => m.body.events)).toEqual([events[0], { staged: events[1]!.uuid }, events[2]]);
  });

  it('carries the warnings of dropped events, in messages of their own when the request is split', () => {
    const warning = (i: number) => ({
      eventUuid: ev(i).uuid,
      type: 'event_dropped_too_old',
      details: { pad: 'w'.repeat(2_000), i },
    });
    const few = [warning(1)];
    expect(messagesOf(1, [ev(2)], few).messages.map((m) => m.body)).toEqual([
      { projectId: 1, events: [ev(2)], warnings: few },
    ]);
    expect(messagesOf(1, [], few).messages.map((m) => m.body)).toEqual([{ projectId: 1, events: [], warnings: few }]);
    const many = Array.from({ length: 150 }, (_, i) => warning(i));
    const events = Array.from({ length: 20 }, (_, i) => ev(1000 + i, 10_000));
    const { messages } = messagesOf(1, events, many);
    expect(messages.flatMap((m) => m.body.warnings ?? [])).toEqual(many);
    expect(messages.flatMap((m) => m.body.events)).toEqual(events);
    for (const m of messages) {
      expect(m.bytes).toBe(bytes(m.body));
      expect(m.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
  });

  it('refuses an event over 1 MB with 413', () => {
    let err: unknown;
    try {
      messagesOf(1, [ev(1), ev(2, MAX_EVENT_BYTES)]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaptureError);
    expect(err).toMatchObject({ status: 413, code: 'event_too_large' });
    expect(messagesOf(1, [ev(1, MAX_EVENT_BYTES - 300)]).staged).toHaveLength(1);
  });
});
