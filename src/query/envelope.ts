/**
 * The fields PostHog puts around every query answer (its CachedQueryResponse):
 * `cache_key`, `is_cached`, `last_refresh`, `next_allowed_client_refresh`,
 * `timezone`, `modifiers`, `timings`. Nothing is cached here (every answer is
 * computed afresh), so a client may refresh at once and the key only names the
 * query, the same for the same query, project and time zone.
 */
import type { QueryContext } from './context';

/**
 * PostHog's HogQL modifiers that describe how this service answers: persons are
 * joined through their distinct ids as they are now, with their current
 * properties (PostHog's `personsOnEventsMode: "disabled"`), and timestamps are
 * shown in the project's time zone.
 */
const MODIFIERS = { personsOnEventsMode: 'disabled', convertToProjectTimezone: true } as const;

async function cacheKeyOf(ctx: QueryContext, query: unknown): Promise<string> {
  const text = JSON.stringify([ctx.projectId, ctx.timezone, query]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `cache_${hex.slice(0, 32)}`;
}

export async function queryEnvelope(ctx: QueryContext, query: unknown) {
  const refreshed = new Date(ctx.now).toISOString();
  return {
    cache_key: await cacheKeyOf(ctx, query),
    is_cached: false,
    last_refresh: refreshed,
    next_allowed_client_refresh: refreshed,
    timezone: ctx.timezone,
    modifiers: MODIFIERS,
  };
}

/** PostHog's `timings`: `[{k, t}]`, seconds; a kind that measured its own parts keeps them. */
export function withTimings<T extends Record<string, unknown>>(answer: T, startedMs: number): T {
  if (Array.isArray(answer.timings)) return answer;
  return { ...answer, timings: [{ k: './query', t: (Date.now() - startedMs) / 1000 }] };
}
