// The one event factory: an event as an SDK sends it and capture enqueues it.
import type { IdentityEvent } from '../../src/identity';
import type { CapturedEvent } from '../../src/queue/message';

export type TestEvent = CapturedEvent & Record<string, unknown>;

let sequence = 0;
const EPOCH = Date.UTC(2026, 0, 1);

/**
 * `event` from `distinctId` with a fresh uuid and a timestamp later than every earlier one
 * (2026-01-01 plus one millisecond per event made); `extra` sets or overrides any top-level
 * field (`timestamp`, `$set`, `api_key`, `offset`, or `undefined` to leave one out).
 */
export function ev(
  event: string,
  distinctId: string,
  properties: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): TestEvent {
  sequence += 1;
  return {
    uuid: crypto.randomUUID(),
    event,
    distinct_id: distinctId,
    properties,
    timestamp: new Date(EPOCH + sequence).toISOString(),
    ...extra,
  };
}

/**
 * The same event for the pure identity rules, by fields: `$pageview` from `user-1` with the
 * same uuid and timestamp on every call (so two calls compare equal), `fields` overriding.
 */
export function eventOf(fields: Partial<IdentityEvent> = {}): IdentityEvent {
  return {
    ...ev('$pageview', 'user-1'),
    uuid: '0190f3a4-0000-7000-8000-000000000001',
    timestamp: '2024-05-01T10:00:00.000Z',
    ...fields,
  };
}
