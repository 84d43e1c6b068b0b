// Types of posthog-js-mix.mjs, for the TypeScript tests.
export interface PosthogJsEvent {
  uuid: string;
  event: string;
  properties: Record<string, unknown>;
  timestamp: string;
  $set?: Record<string, unknown>;
  $set_once?: Record<string, unknown>;
}
export interface Expected {
  events: number;
  persons: number;
  distinct_ids: number;
  merges: number;
}
export const POSTHOG_JS_SHARES: { personless: number; identified: number };
export function uuidv7(ms: number, rnd: () => number): string;
export function posthogJsMix(
  count: number,
  options: {
    seed: number;
    startMs: number;
    spanMs?: number;
    visitors: number;
    users: number;
    shares?: { personless: number; identified: number };
    userPrefix?: string;
    token: string;
  },
): {
  events: PosthogJsEvent[];
  kinds: { personless: number; identified: number; identify: number };
  expected: Expected;
};
export function expectedOf(events: PosthogJsEvent[]): Expected;
