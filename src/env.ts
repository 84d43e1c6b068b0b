import type { PersonDO } from './persons/person-do';
import type { IngestMessage } from './ingest/message';

/** Bindings of the Worker, as declared in wrangler.toml. */
export interface Env {
  DB: D1Database;
  INGEST_QUEUE: Queue<IngestMessage>;
  /** `/batch/` requests with `historical_migration: true` (imports), consumed apart from live traffic. */
  HISTORICAL_QUEUE: Queue<IngestMessage>;
  PERSON: DurableObjectNamespace<PersonDO>;
  PERSONAL_API_KEY?: string;
  PATH_PREFIX?: string;
  /**
   * Reverse proxies whose X-Forwarded-For / X-Real-IP and geo headers are believed:
   * addresses or CIDR ranges, separated by commas or spaces (src/capture/client.ts).
   */
  TRUSTED_PROXIES?: string;
  /** A shared secret a proxy sends in `X-Proxy-Secret` to be trusted wherever it connects from (a secret). */
  PROXY_SECRET?: string;
  /** Static assets assembled by scripts/build-assets.mjs (wrangler.toml [assets]): posthog-js/, api-reference/. */
  ASSETS: Fetcher;
}

export type AppEnv = { Bindings: Env };
