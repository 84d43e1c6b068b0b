import { senderOf } from '../capture/sender';
import type { Env } from '../env';

/**
 * Wrong personal API keys, counted per client address with Cloudflare's Rate
 * Limiting binding (AUTH_FAILURES in wrangler.toml: 10 per 60 s) for the REST
 * API and the web sign-in alike, so neither is a way around the other.
 *
 * The binding can only count, not tell whether a client is over its limit
 * without counting once more; and a blocked client must not have its next
 * guess checked (else a right guess would still get in). So the failure that
 * finds the limit reached blocks the address in this isolate for one period:
 * its requests answer 429 before any key is compared. Other addresses are
 * never affected; with several isolates, each needs at most one more failure
 * to learn of the block.
 */

/** The binding's period (wrangler.toml `simple.period`), and how long a blocked address waits. */
const AUTH_FAILURE_PERIOD_SECONDS = 60;
/** Blocked addresses remembered per isolate; the oldest is forgotten first. */
const MAX_BLOCKED_ADDRESSES = 10_000;

const blockedUntil = new Map<string, number>();

/** Whose failures these are: the client's address as capture reads it (trusted proxies included). */
export function authClientKey(request: Request, env: Env): string {
  return `ip:${senderOf(request, env).ip ?? 'unknown'}`;
}

/** Seconds until `client` may try a key again, or undefined when it may now. */
export function authBlockedFor(client: string, now = Date.now()): number | undefined {
  const until = blockedUntil.get(client);
  if (until === undefined) return undefined;
  if (until <= now) {
    blockedUntil.delete(client);
    return undefined;
  }
  return Math.ceil((until - now) / 1000);
}

/** Counts a wrong key; the seconds to wait when that passed the limit, else undefined. */
export async function recordAuthFailure(env: Env, client: string, now = Date.now()): Promise<number | undefined> {
  let outcome: RateLimitOutcome;
  try {
    outcome = await env.AUTH_FAILURES.limit({ key: client });
  } catch (error) {
    // The answer is a 401 either way; only the counting is lost.
    console.error('auth failure rate limit unavailable', error instanceof Error ? error.message : String(error));
    return undefined;
  }
  if (outcome.success) return undefined;
  blockedUntil.delete(client);
  if (blockedUntil.size >= MAX_BLOCKED_ADDRESSES) blockedUntil.delete(blockedUntil.keys().next().value!);
  blockedUntil.set(client, now + AUTH_FAILURE_PERIOD_SECONDS * 1000);
  return AUTH_FAILURE_PERIOD_SECONDS;
}
