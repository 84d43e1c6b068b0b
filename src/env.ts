import type { PersonDO } from './persons/person-do';
import type { IngestMessage } from './ingest/message';

/** Bindings of the Worker, as declared in wrangler.toml. */
export interface Env {
  DB: D1Database;
  INGEST_QUEUE: Queue<IngestMessage>;
  PERSON: DurableObjectNamespace<PersonDO>;
  PERSONAL_API_KEY?: string;
  PATH_PREFIX?: string;
  /** Static assets assembled by scripts/build-assets.mjs (wrangler.toml [assets]): posthog-js/, api-reference/. */
  ASSETS: Fetcher;
}

export type AppEnv = { Bindings: Env };
