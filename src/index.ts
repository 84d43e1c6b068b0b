import { fetchWorker } from './app';
import type { Env } from './env';
import { consumeIngestBatch } from './ingest/consumer';
import type { QueueBody } from './queue/message';
import { runScheduled } from './scheduled';

export { PersonDO } from './persons/person-do';

export default {
  fetch: fetchWorker,
  queue: consumeIngestBatch,
  scheduled: (controller, env, ctx) => ctx.waitUntil(runScheduled(env, controller.scheduledTime)),
} satisfies ExportedHandler<Env, QueueBody>;
