import { CaptureError } from '../http/capture-errors';
import type { CaptureProject } from '../db/projects';
import { projectDb } from '../db/shards';
import type { Env } from '../env';
import type { CapturedEvent } from '../queue/message';
import { applyCookieless, isCookielessEvent, type CookielessSender } from './apply';

export { purgeExpiredCookieless } from './purge';

/**
 * Capture's one call into cookieless tracking: the request's events with
 * cookieless ones given their computed ids (or turned into dropped stubs).
 * 503 if the salt store cannot be reached, so the SDK retries.
 */
export async function withCookielessIds(
  env: Env,
  project: CaptureProject,
  events: CapturedEvent[],
  sender: CookielessSender,
): Promise<CapturedEvent[]> {
  if (!events.some(isCookielessEvent)) return events;
  try {
    return await applyCookieless(await projectDb(env, project.id), project, events, sender);
  } catch (err) {
    console.error('cookieless ids failed', err instanceof Error ? err.message : String(err));
    throw new CaptureError(503, 'unavailable', 'Temporarily unable to accept cookieless events; retry later.');
  }
}
