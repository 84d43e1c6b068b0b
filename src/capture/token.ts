import type { CaptureProject } from '../db/projects';
import type { Env } from '../env';
import { cachedProjectOfToken } from '../projects/cache';
import { CaptureError, badRequest } from '../http/capture-errors';
import { MAX_TOKEN_CHARS } from './limits';
import type { CaptureBatch, RawEvent } from './shapes';

/**
 * The project token of a request: batch-level `api_key`/`token` wins; else each
 * event's `token`, `$token`, `api_key` or `properties.token`, which must agree.
 */
export function tokenOf(batch: CaptureBatch): string {
  const batchToken = clean(batch.token);
  if (batchToken) return checked(batchToken);
  const tokens = new Set<string>();
  for (const event of batch.events) {
    const token = eventToken(event);
    if (token) tokens.add(token);
  }
  if (tokens.size > 1)
    throw badRequest(
      'mixed_tokens',
      `The request mixes ${tokens.size} different project tokens; send one project's events per request.`,
    );
  const [token] = tokens;
  if (!token)
    throw new CaptureError(
      401,
      'no_token',
      'No project token: set `api_key` or `token` on the batch, or `token` / `properties.token` on the events.',
    );
  return checked(token);
}

function eventToken(event: RawEvent): string | undefined {
  const fromProperties = event.properties?.token;
  return (
    clean(event.token) ||
    clean(event.$token) ||
    clean(event.api_key) ||
    clean(typeof fromProperties === 'string' ? fromProperties : undefined)
  );
}

const clean = (token: string | null | undefined) => token?.trim() || undefined;

function checked(token: string): string {
  if (token.startsWith('phx_'))
    throw new CaptureError(401, 'invalid_token', 'That is a personal API key, not a project token (phc_...).');
  // Not worth a lookup (and D1 refuses very long parameters, which would look like an outage).
  if (token.length > MAX_TOKEN_CHARS) throw new CaptureError(401, 'invalid_token', 'Unknown project token.');
  return token;
}

/**
 * The project a token belongs to, with the settings capture needs (cached per isolate
 * for a short while, src/projects/cache.ts); 401 when none.
 */
export async function projectForToken(env: Env, token: string, now = Date.now()): Promise<CaptureProject> {
  let project: CaptureProject | undefined;
  try {
    project = await cachedProjectOfToken(env, token, now);
  } catch (err) {
    console.error('project lookup failed', err instanceof Error ? err.message : String(err));
    throw new CaptureError(503, 'unavailable', 'Temporarily unable to check the project token; retry later.');
  }
  if (project === undefined) throw new CaptureError(401, 'invalid_token', 'Unknown project token.');
  return project;
}
