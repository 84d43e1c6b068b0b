import type { Warning } from '../identity';

/**
 * What capture puts on the `ingest` queue: the validated events of one capture
 * request (split only to stay under the queue's message size limit).
 */
export interface IngestMessage {
  projectId: number;
  events: QueuedEvent[];
  /** Ingestion warnings about events capture dropped (e.g. too old for the project); stored by the consumer. */
  warnings?: CaptureWarning[];
  /** Its row in the local acceptance journal (src/queue/journal.ts), when that is on. */
  journalId?: string;
}

/**
 * A message body as the queues carry it: capture sends the message's JSON as bytes
 * (encoded once, when it sized the message, instead of again by the queue); the
 * journal's re-sends and older messages are the object itself.
 */
export type QueueBody = IngestMessage | ArrayBuffer | ArrayBufferView;

const decoder = new TextDecoder();

/** The message a queue body carries. */
export function ingestMessageOf(body: QueueBody): IngestMessage {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return JSON.parse(decoder.decode(body)) as IngestMessage;
  return body;
}

export interface CaptureWarning {
  eventUuid: string;
  type: string;
  details: Record<string, unknown>;
}

/** An event in a message, or (when too large for a message) the uuid of its row in `staged_events`. */
export type QueuedEvent = CapturedEvent | StagedEventRef;

interface StagedEventRef {
  staged: string;
}

export const isStagedRef = (e: QueuedEvent): e is StagedEventRef => 'staged' in e && typeof e.staged === 'string';

/** One event after capture normalised it (token resolved, uuid set, timestamp corrected). */
export interface CapturedEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  /** ISO 8601, already corrected for client clock skew. */
  timestamp: string;
  /** Top-level `$set` / `$set_once` as posthog-js and posthog-python send them. */
  $set?: Record<string, unknown>;
  $set_once?: Record<string, unknown>;
  /**
   * Set when capture accepted the event but must not store it (e.g. a cookieless
   * event the project's mode refuses): the consumer stores only this warning.
   * Such an event carries no properties.
   */
  dropped?: Warning;
}
