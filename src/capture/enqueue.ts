import type { CapturedEvent, IngestMessage } from '../ingest/message';
import { CaptureError } from './errors';
import { MAX_EVENT_BYTES, MAX_MESSAGE_BYTES, MAX_SEND_BATCH_BYTES, MAX_SEND_BATCH_MESSAGES } from './limits';

const encoder = new TextEncoder();
const jsonBytes = (value: unknown) => encoder.encode(JSON.stringify(value)).byteLength;

interface SizedMessage {
  body: IngestMessage;
  bytes: number;
}

/**
 * The queue messages of one capture request: its events in order, split only
 * where a message would pass the queue's size limit. 413 for an event that
 * cannot fit in a message on its own.
 */
export function messagesOf(projectId: number, events: CapturedEvent[]): SizedMessage[] {
  const envelope = jsonBytes({ projectId, events: [] } satisfies IngestMessage);
  const messages: SizedMessage[] = [];
  let current: SizedMessage | undefined;
  events.forEach((event, i) => {
    const bytes = jsonBytes(event);
    if (bytes > MAX_EVENT_BYTES) {
      throw new CaptureError(413, 'event_too_large', `Event ${i} (${event.event}) is ${bytes} bytes as JSON; the limit is ${MAX_EVENT_BYTES} bytes per event.`);
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
  return messages;
}

/**
 * Hands the messages to the queue in `sendBatch` calls within its limits (100
 * messages, 256 KB). Throws 503 if the queue refuses: the SDK then retries, and
 * nothing is acknowledged that was not handed over.
 */
export async function enqueue(queue: Queue<IngestMessage>, messages: SizedMessage[]): Promise<void> {
  let batch: SizedMessage[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    try {
      await queue.sendBatch(batch.map((m) => ({ body: m.body, contentType: 'json' as const })));
    } catch (err) {
      console.error('ingest queue refused a batch', err instanceof Error ? err.message : String(err));
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
