import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { ApiError } from './errors';

const unauthorized = (detail: string) =>
  new ApiError(401, { type: 'authentication_error', code: 'invalid_personal_api_key', detail });

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}

/** Compares two secrets in constant time (hashing first so lengths always match). */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Bearer auth with the Worker secret PERSONAL_API_KEY. Project tokens never open the REST API. */
export const requirePersonalApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.PERSONAL_API_KEY;
  if (!expected) throw unauthorized('PERSONAL_API_KEY is not configured on this server.');
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized('Missing "Authorization: Bearer <personal API key>" header.');
  if (!(await secretsEqual(match[1], expected))) throw unauthorized('Invalid personal API key.');
  await next();
});
