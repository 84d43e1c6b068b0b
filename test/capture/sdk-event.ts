import { vi } from 'vitest';
import { ev } from '../support/events';

/** Runs `fn` with Date frozen at `now` (the Worker runs in this isolate, so capture sees it too). */
export async function at<T>(now: number, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

/** The event routes of every PostHog SDK, as capture/routes.ts serves them. */
export const EVENT_PATHS = ['/e', '/i/v0/e', '/capture', '/track', '/engage', '/batch'];

let n = 0;
/** A distinct SDK-shaped event (nested and non-ASCII properties) with a fresh uuid and a fixed timestamp. */
export function sdkEvent(extra: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) {
  n += 1;
  return ev(
    `test event ${n}`,
    `user-${n % 7}`,
    { n, nested: { list: [1, 'two', null], ok: true }, unicode: 'grüße 🚀', ...properties },
    {
      timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, n)).toISOString(),
      ...extra,
    },
  );
}
