import type { PersonObject } from './persons/steps';
import type { QueueBody } from './queue/message';

/** Bindings of the Worker, as declared in wrangler.toml. */
export interface Env {
  /** The catalog: projects, tokens, settings, each project's shard (src/db/shards.ts). */
  DB: D1Database;
  /** The shards holding each project's data: SHARD_0 … SHARD_<n-1>, no gaps. */
  SHARD_0: D1Database;
  [shard: `SHARD_${number}`]: D1Database | undefined;
  /** Where expired events are archived before deletion (optional). */
  ARCHIVE?: R2Bucket;
  /** A shard's size limit in bytes for the fill level and warning; default 10 GB (D1's limit). */
  SHARD_LIMIT_BYTES?: string;
  INGEST_QUEUE: Queue<QueueBody>;
  /** `/batch/` requests with `historical_migration: true` (imports), consumed apart from live traffic. */
  HISTORICAL_QUEUE: Queue<QueueBody>;
  PERSON: DurableObjectNamespace<PersonObject>;
  PERSONAL_API_KEY?: string;
  /**
   * `on` locally: capture also writes accepted messages to D1 until they are stored, since the
   * local queue lives in memory (src/queue/journal.ts). Off on Cloudflare, whose queues persist.
   */
  LOCAL_ACCEPT_JOURNAL?: string;
  /** Wrong personal API keys per client address (REST and web sign-in): src/api/auth-failures.ts. */
  AUTH_FAILURES: RateLimit;
  PATH_PREFIX?: string;
  /**
   * Reverse proxies whose X-Forwarded-For / X-Real-IP and geo headers are believed:
   * addresses or CIDR ranges, separated by commas or spaces (src/capture/sender.ts).
   */
  TRUSTED_PROXIES?: string;
  /** A shared secret a proxy sends in `X-Proxy-Secret` to be trusted wherever it connects from (a secret). */
  PROXY_SECRET?: string;
  /** Static assets assembled by scripts/build-assets.mjs (wrangler.toml [assets]): posthog-js/, api-reference/. */
  ASSETS: Fetcher;
}

export type AppEnv = { Bindings: Env };
