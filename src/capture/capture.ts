import { withCookielessIds } from '../cookieless';

import { projectDb } from '../db/shards';
import type { Env } from '../env';
import { decodePayload, readCapped } from './decode';
import { CaptureError, badRequest } from '../http/capture-errors';
import { senderOf } from './sender';
import { enrichProperties } from './enrich';
import { enqueue, messagesOf } from './enqueue';
import { acceptJournalOf } from '../queue/journal';
import type { CaptureWarning, CapturedEvent } from '../queue/message';
import { MAX_BODY_BYTES } from './limits';
import { capturedEventOf } from './normalize';
import { tooOldWarning } from './too-old';
import { batchOf } from './shapes';
import { sentAtOf } from './timestamps';
import { projectForToken, tokenOf } from './token';

/**
 * One capture request, start to end: decode, validate, resolve the project,
 * normalise and enrich the events, and hand them to the `ingest` queue.
 * Resolves only once the queue has them; throws a CaptureError otherwise.
 */
export async function captureEvents(request: Request, env: Env, opts: { engage?: boolean } = {}): Promise<void> {
  const { queue, db, projectId, handOver } = await captureHandOver(request, env, opts);
  await enqueue(queue, db, projectId, handOver, acceptJournalOf(env, queue));
}

/** Everything capture does before the queue: the messages of one request, and where they go. */
export async function captureHandOver(request: Request, env: Env, opts: { engage?: boolean } = {}) {
  const now = Date.now();
  const query = new URL(request.url).searchParams;
  const body = await readBody(request);
  const payload = await decodePayload({
    query,
    contentType: request.headers.get('Content-Type'),
    contentEncoding: request.headers.get('Content-Encoding'),
    body,
  });
  const batch = batchOf(payload, opts);
  const project = await projectForToken(env, tokenOf(batch));
  const projectId = project.id;

  const clock = { now, sentAt: sentAtOf(batch.sentAt, query) };
  const sender = senderOf(request, env);
  const events: CapturedEvent[] = [];
  const warnings: CaptureWarning[] = [];
  for (const raw of batch.events) {
    const event = capturedEventOf(raw, clock, warnings);
    const tooOld = tooOldWarning(event, now, project.dropEventsOlderThanSeconds);
    if (tooOld) {
      warnings.push(tooOld);
      continue;
    }
    enrichProperties(event.properties, sender, { anonymizeIps: project.anonymizeIps });
    events.push(event);
  }
  const identified = await withCookielessIds(env, project, events, {
    ip: sender.ip,
    userAgent: request.headers.get('User-Agent'),
  });
  return {
    queue: batch.historicalMigration ? env.HISTORICAL_QUEUE : env.INGEST_QUEUE,
    // Events too large for a message are staged on the project's shard (known from the token lookup: no read).
    db: await projectDb(env, projectId),
    projectId,
    handOver: messagesOf(projectId, identified, warnings),
  };
}

async function readBody(request: Request): Promise<Uint8Array> {
  const length = request.headers.get('Content-Length');
  const declared = Number(length);
  if (declared > MAX_BODY_BYTES)
    throw new CaptureError(413, 'payload_too_large', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
  const unreadable = () => badRequest('empty_payload', 'The request body could not be read.');
  // A declared length within the limit is what the runtime reads: one native read, no stream
  // loop (and no stream object: `request.body` is made on first use).
  if (length !== null && Number.isInteger(declared) && declared >= 0) {
    try {
      return new Uint8Array(await request.arrayBuffer());
    } catch {
      throw unreadable();
    }
  }
  if (!request.body) return new Uint8Array();
  return readCapped(request.body, MAX_BODY_BYTES, unreadable);
}
