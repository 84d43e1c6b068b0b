import { app } from './app';
import type { Env } from './env';
import { consumeQueueBatch } from './ingest/consumer';
import type { IngestMessage } from './ingest/message';

export { PersonDO } from './persons/person-do';

export default {
  fetch: app.fetch,
  queue: consumeQueueBatch,
} satisfies ExportedHandler<Env, IngestMessage>;
