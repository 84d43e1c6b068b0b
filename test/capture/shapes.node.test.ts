import { describe, expect, it } from 'vitest';
import { CaptureError } from '../../src/http/capture-errors';
import { batchOf } from '../../src/capture/shapes';
import { tokenOf } from '../../src/capture/token';

function rejected(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CaptureError) return err;
    throw err;
  }
  throw new Error('expected a CaptureError');
}

const e = (extra: Record<string, unknown> = {}) => ({ event: 'e', distinct_id: 'd', ...extra });

describe('shapes', () => {
  it('reads an array of events', () => {
    const b = batchOf([e({ token: 't' }), e({ event: 'f' })]);
    expect(b.events.map((x) => x.event)).toEqual(['e', 'f']);
    expect(b.token).toBeUndefined();
    expect(b.sentAt).toBeUndefined();
  });

  it('reads {api_key | token, batch, sent_at}', () => {
    const a = batchOf({ api_key: 'phc_a', batch: [e()], sent_at: '2026-01-01T00:00:00Z', historical_migration: false });
    expect(a).toMatchObject({
      token: 'phc_a',
      sentAt: '2026-01-01T00:00:00Z',
      events: [{ event: 'e', distinctId: 'd' }],
    });
    expect(batchOf({ token: 'phc_b', batch: [e()] }).token).toBe('phc_b');
  });

  it('reads a single event object', () => {
    expect(batchOf(e({ api_key: 'phc_c' })).events).toMatchObject([{ event: 'e', api_key: 'phc_c' }]);
  });

  it('on /engage only, turns an object without event into $identify', () => {
    const engage = { $set: { plan: 'pro' }, $token: 'phc_x', $distinct_id: 'u1', $device_id: 'dev' };
    expect(batchOf(engage, { engage: true }).events).toMatchObject([
      { event: '$identify', distinctId: 'u1', $set: { plan: 'pro' }, $token: 'phc_x' },
    ]);
    expect(rejected(() => batchOf(engage)).code).toBe('missing_event_name');
    expect(batchOf(e({ event: '$pageview' }), { engage: true }).events[0]?.event).toBe('$pageview');
  });

  it('finds the distinct id in distinct_id, $distinct_id, then properties.distinct_id, stringifying numbers', () => {
    expect(
      batchOf({ event: 'e', distinct_id: 'a', $distinct_id: 'b', properties: { distinct_id: 'c' } }).events[0]
        ?.distinctId,
    ).toBe('a');
    expect(batchOf({ event: 'e', $distinct_id: 'b', properties: { distinct_id: 'c' } }).events[0]?.distinctId).toBe(
      'b',
    );
    expect(batchOf({ event: 'e', properties: { distinct_id: 'c' } }).events[0]?.distinctId).toBe('c');
    expect(batchOf({ event: 'e', distinct_id: 42 }).events[0]?.distinctId).toBe('42');
    expect(batchOf({ event: 'e', properties: { distinct_id: 7.5 } }).events[0]?.distinctId).toBe('7.5');
  });

  it('drops unknown top-level fields and keeps $set / $set_once', () => {
    const [x] = batchOf(e({ type: 'capture', library: 'web', $set: { a: 1 }, $set_once: { b: 2 } })).events;
    expect(x).not.toHaveProperty('type');
    expect(x).toMatchObject({ $set: { a: 1 }, $set_once: { b: 2 } });
  });

  const rejections: [string, unknown, number, string, RegExp?][] = [
    ['a JSON string', 'hello', 400, 'invalid_payload'],
    ['a number', 12, 400, 'invalid_payload'],
    ['null', null, 400, 'invalid_payload'],
    ['an empty array', [], 400, 'empty_batch'],
    ['an empty batch', { api_key: 'phc_x', batch: [] }, 400, 'empty_batch'],
    ['a batch that is not an array', { api_key: 'phc_x', batch: {} }, 400, 'invalid_payload', /batch/],
    ['a non-object in a batch', { batch: [e(), 3] }, 400, 'invalid_event', /batch\[1\]/],
    ['a missing event name', { distinct_id: 'd' }, 400, 'missing_event_name', /event/],
    ['an empty event name', [e(), e({ event: '' })], 400, 'missing_event_name', /\[1\]/],
    ['a non-string event name', e({ event: 5 }), 400, 'invalid_event_name', /event/],
    ['a missing distinct id', { event: 'e' }, 400, 'missing_distinct_id', /distinct/],
    ['an empty distinct id', e({ distinct_id: '' }), 400, 'missing_distinct_id'],
    ['a null distinct id', e({ distinct_id: null }), 400, 'missing_distinct_id'],
    ['an object distinct id', e({ distinct_id: { a: 1 } }), 400, 'invalid_distinct_id', /distinct_id/],
    ['an object properties.distinct_id', { event: 'e', properties: { distinct_id: [1] } }, 400, 'invalid_distinct_id'],
    ['an invalid uuid', e({ uuid: 'not-a-uuid' }), 400, 'invalid_uuid', /uuid/],
    ['properties that are an array', e({ properties: [1] }), 400, 'invalid_event', /properties/],
    ['$set that is a string', e({ $set: 'x' }), 400, 'invalid_event', /\$set/],
    ['an offset that is a string', e({ offset: '5' }), 400, 'invalid_event', /offset/],
  ];
  for (const [name, payload, status, code, message] of rejections) {
    it(`refuses ${name}: ${status} ${code}`, () => {
      const err = rejected(() => batchOf(payload));
      expect(err.status).toBe(status);
      expect(err.code).toBe(code);
      if (message) expect(err.message).toMatch(message);
    });
  }

  it('accepts an empty or absent uuid (capture generates one) and any hex uuid', () => {
    expect(batchOf(e({ uuid: '' })).events[0]?.uuid).toBe('');
    expect(batchOf(e({ uuid: null })).events[0]?.uuid).toBeNull();
    expect(batchOf(e({ uuid: '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B' })).events[0]?.uuid).toBe(
      '0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B',
    );
  });
});

describe('tokens', () => {
  const tokenOfPayload = (payload: unknown) => tokenOf(batchOf(payload));

  it('uses the batch-level api_key or token first', () => {
    expect(tokenOfPayload({ api_key: 'phc_a', batch: [e({ token: 'phc_b' })] })).toBe('phc_a');
    expect(tokenOfPayload({ token: 'phc_a', batch: [e({ properties: { token: 'phc_b' } })] })).toBe('phc_a');
  });

  it('else each event: token, $token, api_key, properties.token', () => {
    expect(tokenOfPayload(e({ token: 'phc_1', $token: 'x', api_key: 'y', properties: { token: 'z' } }))).toBe('phc_1');
    expect(tokenOfPayload(e({ $token: 'phc_2', api_key: 'y' }))).toBe('phc_2');
    expect(tokenOfPayload(e({ api_key: 'phc_3', properties: { token: 'z' } }))).toBe('phc_3');
    expect(tokenOfPayload(e({ properties: { token: 'phc_4' } }))).toBe('phc_4');
    expect(tokenOfPayload({ batch: [e(), e({ properties: { token: 'phc_5' } })] })).toBe('phc_5');
  });

  it('refuses mixed tokens with 400', () => {
    const err = rejected(() => tokenOfPayload([e({ token: 'phc_a' }), e({ properties: { token: 'phc_b' } })]));
    expect(err).toMatchObject({ status: 400, code: 'mixed_tokens' });
  });

  it('refuses no token with 401', () => {
    expect(rejected(() => tokenOfPayload(e()))).toMatchObject({ status: 401, code: 'no_token' });
    expect(rejected(() => tokenOfPayload({ api_key: '', batch: [e({ token: '  ' })] }))).toMatchObject({
      status: 401,
      code: 'no_token',
    });
  });

  it('never takes a personal API key as a project token', () => {
    expect(rejected(() => tokenOfPayload({ api_key: 'phx_secret', batch: [e()] }))).toMatchObject({
      status: 401,
      code: 'invalid_token',
    });
  });
});
