import type { IdentityEvent } from '../../src/identity';

/** An event for the identity rules, with only what a test cares about given. */
export function eventOf(overrides: Partial<IdentityEvent> = {}): IdentityEvent {
  return {
    uuid: '0190f3a4-0000-7000-8000-000000000001',
    event: '$pageview',
    distinct_id: 'user-1',
    properties: {},
    timestamp: '2024-05-01T10:00:00.000Z',
    ...overrides,
  };
}
