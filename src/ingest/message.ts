/**
 * What capture puts on the `ingest` queue: the validated events of one capture
 * request (split only to stay under the queue's message size limit).
 */
export interface IngestMessage {
  projectId: number;
  events: CapturedEvent[];
}

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
}
