import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { authBlockedFor, authClientKey, recordAuthFailure } from './auth-failures';
import { ApiError } from './errors';

const unauthorized = (detail: string) =>
  new ApiError(401, { type: 'authentication_error', code: 'invalid_personal_api_key', detail });

/** DRF's throttled answer, as PostHog sends it, with `Retry-After`. */
const throttled = (seconds: number) =>
  new ApiError(
    429,
    {
      type: 'throttled_error',
      code: 'throttled',
      detail: `Too many wrong personal API keys from your address. Request was throttled. Expected available in ${seconds} seconds.`,
    },
    { 'Retry-After': String(seconds) },
  );

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}

/** Compares two secrets in constant time (hashing first so lengths always match). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Bearer auth with the Worker secret PERSONAL_API_KEY. Project tokens never open the REST API.
 * Wrong keys are rate limited per client address (auth-failures.ts): 429 once over the limit.
 */
export const requirePersonalApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.PERSONAL_API_KEY;
  if (!expected) throw unauthorized('PERSONAL_API_KEY is not configured on this server.');
  const client = authClientKey(c.req.raw, c.env);
  const blocked = authBlockedFor(client);
  if (blocked !== undefined) throw throttled(blocked);
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Missing "Authorization: Bearer <personal API key>" header.');
  if (!(await secretsEqual(match[1], expected))) {
    const wait = await recordAuthFailure(c.env, client);
    throw wait === undefined ? unauthorized('Invalid personal API key.') : throttled(wait);
  }
  await next();
});
