import { app } from './app';
import type { Env } from './env';
import { purgeExpiredCookieless } from './cookieless';
import { consumeIngestBatch } from './ingest/consumer';
import type { IngestMessage } from './ingest/message';

export { PersonDO } from './persons/person-do';

export default {
  fetch: app.fetch,
  queue: consumeIngestBatch,
  scheduled: (_controller, env, ctx) => ctx.waitUntil(purgeExpiredCookieless(env)),
} satisfies ExportedHandler<Env, IngestMessage>;
