import type { Env } from '../env';
import type { IngestMessage } from './message';

/** Queue consumer for `ingest` (and its dead-letter queue). */
export async function consumeIngestBatch(batch: MessageBatch<IngestMessage>, _env: Env): Promise<void> {
  batch.retryAll();
}
