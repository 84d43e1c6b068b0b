import type { Db } from '../db/client';
import type { CaptureWarning, CapturedEvent, IngestMessage, QueueBody, QueuedEvent } from '../queue/message';
import { forgetAccepted, journalAccepted, type AcceptJournal } from '../queue/journal';
import { stageEvents } from '../queue/staged';
import { CaptureError } from '../http/capture-errors';
import {
  MAX_EVENT_BYTES,
  MAX_INLINE_EVENT_BYTES,
  MAX_MESSAGE_BYTES,
  MAX_SEND_BATCH_BYTES,
  MAX_SEND_BATCH_MESSAGES,
} from './limits';

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).byteLength;

interface SizedMessage {
  body: IngestMessage;
  bytes: number;
  /** The body's JSON as UTF-8, when sizing it encoded it already: what the queue is sent. */
  encoded?: Uint8Array;
}

interface CaptureHandOver {
  messages: SizedMessage[];
  /** Events too large for a message, to be staged in D1 before the messages are sent. */
  staged: CapturedEvent[];
}

/**
 * The queue messages of one capture request: its events in order, split only
 * where a message would pass the queue's size limit. An event too large for a
 * message is staged and stands in the message as its uuid; 413 for an event
 * over the 1 MB limit.
 */
export function messagesOf(
  projectId: number,
  events: CapturedEvent[],
  warnings: CaptureWarning[] = [],
): CaptureHandOver {
  // Most requests fit in one message: size them once instead of event by event.
  const whole: IngestMessage = warnings.length > 0 ? { projectId, events, warnings } : { projectId, events };
  const encoded = encoder.encode(JSON.stringify(whole));
  if (encoded.byteLength <= MAX_MESSAGE_BYTES)
    return { messages: [{ body: whole, bytes: encoded.byteLength, encoded }], staged: [] };

  const envelope = jsonBytes({ projectId, events: [] } satisfies IngestMessage);
  const messages: SizedMessage[] = [];
  const staged: CapturedEvent[] = [];
  let current: SizedMessage | undefined;
  // Warnings travel in messages of their own (few and small: a request has at most 10,000 events).
  const warningsEnvelope = jsonBytes({ projectId, events: [], warnings: [] } satisfies IngestMessage);
  let pending: CaptureWarning[] = [];
  let pendingBytes = warningsEnvelope;
  for (const warning of warnings) {
    const bytes = jsonBytes(warning);
    if (pending.length > 0 && pendingBytes + 1 + bytes > MAX_MESSAGE_BYTES) {
      messages.push({ body: { projectId, events: [], warnings: pending }, bytes: pendingBytes });
      pending = [];
      pendingBytes = warningsEnvelope;
    }
    pendingBytes += bytes + (pending.length > 0 ? 1 : 0);
    pending.push(warning);
  }
  if (pending.length > 0) messages.push({ body: { projectId, events: [], warnings: pending }, bytes: pendingBytes });
  events.forEach((captured, i) => {
    let event: QueuedEvent = captured;
    let bytes = jsonBytes(captured);
    if (bytes > MAX_EVENT_BYTES) {
      throw new CaptureError(
        413,
        'event_too_large',
        `Event ${i} (${captured.event}) is ${bytes} bytes as JSON; the limit is ${MAX_EVENT_BYTES} bytes per event.`,
      );
    }
    if (bytes > MAX_INLINE_EVENT_BYTES) {
      staged.push(captured);
      event = { staged: captured.uuid };
      bytes = jsonBytes(event);
    }
    const separator = current && current.body.events.length > 0 ? 1 : 0;
    if (!current || current.bytes + separator + bytes > MAX_MESSAGE_BYTES) {
      current = { body: { projectId, events: [] }, bytes: envelope };
      messages.push(current);
      current.body.events.push(event);
      current.bytes += bytes;
    } else {
      current.body.events.push(event);
      current.bytes += separator + bytes;
    }
  });
  return { messages, staged };
}

/**
 * Hands the messages to the queue in `sendBatch` calls within its limits (100
 * messages, 256 KB). Throws 503 if the queue refuses: the SDK then retries, and
 * nothing is acknowledged that was not handed over. With the local acceptance
 * journal (src/queue/journal.ts) the messages are written to D1 first.
 */
export async function enqueue(
  queue: Queue<QueueBody>,
  db: Db,
  projectId: number,
  { messages, staged }: CaptureHandOver,
  journal?: AcceptJournal,
): Promise<void> {
  await stage(db, projectId, staged);
  const bodies = messages.map((m) => m.body);
  // The journal gives each body its id: those are encoded again, with it.
  if (journal) await journalOrRefuse(db, journal, bodies);
  const encodedOf = (m: SizedMessage) => (!journal && m.encoded) || encoder.encode(JSON.stringify(m.body));
  let batch: SizedMessage[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await queue.sendBatch(batch.map((m) => ({ body: encodedOf(m), contentType: 'bytes' as const })));
    } catch (err) {
      console.error('ingest queue refused a batch', err instanceof Error ? err.message : String(err));
      // The client retries with the same events: the journal must not deliver them a second time.
      if (journal) await forgetAccepted(db, bodies).catch(() => undefined);
      throw new CaptureError(503, 'unavailable', 'Temporarily unable to accept events; retry later.');
    }
    batch = [];
    batchBytes = 0;
  };
  for (const message of messages) {
    if (batch.length >= MAX_SEND_BATCH_MESSAGES || batchBytes + message.bytes > MAX_SEND_BATCH_BYTES) await flush();
    batch.push(message);
    batchBytes += message.bytes;
  }
  await flush();
}

async function journalOrRefuse(db: Db, journal: AcceptJournal, bodies: IngestMessage[]): Promise<void> {
  try {
    await journalAccepted(db, journal, bodies);
  } catch (err) {
    console.error('journaling accepted messages failed', err instanceof Error ? err.message : String(err));
    throw new CaptureError(503, 'unavailable', 'Temporarily unable to accept events; retry later.');
  }
}

/** Stages oversized events; a failure is the client's cue to retry. */
async function stage(db: Db, projectId: number, events: CapturedEvent[]): Promise<void> {
  try {
    await stageEvents(db, projectId, events);
  } catch (err) {
    console.error('staging large events failed', err instanceof Error ? err.message : String(err));
    throw new CaptureError(503, 'unavailable', 'Temporarily unable to accept events; retry later.');
  }
}
