// What the production code asks of the billed services while the bench meters it: D1 rows read
// and written (each statement's `meta`, as D1 bills them), queue messages and their 64 KB
// chunks, consumer invocations and person-object calls. Bench-only: bench/worker.ts hands the
// production Worker and PersonDO an env whose D1 bindings and queues pass through here; nothing
// in src/ changes. Off, it only forwards.
import type { Env } from '../src/env';

export interface DatabaseCounts {
  /** D1 calls (a batch is one). */
  requests: number;
  statements: number;
  rows_read: number;
  rows_written: number;
}

interface Counts {
  databases: Record<string, DatabaseCounts>;
  /** By the table each statement writes (`(reads)` for the others), all databases together. */
  tables: Record<string, Omit<DatabaseCounts, 'requests'>>;
  queue: { messages: number; bytes: number; chunks: number };
  consumer: { invocations: number; messages: number };
  person_object_calls: number;
}

const newCounts = (): Counts => ({
  databases: {},
  tables: {},
  queue: { messages: 0, bytes: 0, chunks: 0 },
  consumer: { invocations: 0, messages: 0 },
  person_object_calls: 0,
});

// One isolate serves the Worker, its queue consumer and the person objects under `wrangler dev`.
let counts = newCounts();
let metering = false;
/** Changes when wrangler reloads the Worker (a watched file changed), which loses the counts. */
let isolate: string | undefined;

export function startMetering(): void {
  counts = newCounts();
  metering = true;
}

export function stopMetering(): void {
  metering = false;
}

export function meterReading(): Counts & { metering: boolean; isolate: string } {
  // Named on first use: the runtime allows no random values at a module's top level.
  isolate ??= crypto.randomUUID();
  return { ...counts, metering, isolate };
}

/** Queues bill an operation per 64 KB (1 KB = 1,000 bytes) of a message, ~100 bytes of metadata included. */
export const QUEUE_CHUNK_BYTES = 64_000;
const QUEUE_MESSAGE_OVERHEAD_BYTES = 100;

const WRITE = /\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+[`"[]?(\w+)/i;

/** The table a statement writes (its first INSERT, UPDATE or DELETE), or `(reads)`. */
export const tableWritten = (sql: string) => WRITE.exec(sql)?.[1] ?? '(reads)';

/** The SQL of each statement a D1 call sent (one, or a batch's), in order. */
function sqlOf(body: unknown): string[] {
  if (typeof body !== 'string') return [];
  const sent = JSON.parse(body) as { sql?: string } | { sql?: string }[];
  return (Array.isArray(sent) ? sent : [sent]).map((s) => s.sql ?? '');
}

function countStatements(database: string, sql: string[], results: unknown): void {
  const c = (counts.databases[database] ??= { requests: 0, statements: 0, rows_read: 0, rows_written: 0 });
  c.requests++;
  (Array.isArray(results) ? results : [results]).forEach((result, i) => {
    const meta = (result as { meta?: { rows_read?: number; rows_written?: number } } | null)?.meta;
    if (!meta) return;
    c.statements++;
    c.rows_read += meta.rows_read ?? 0;
    c.rows_written += meta.rows_written ?? 0;
    const t = (counts.tables[tableWritten(sql[i] ?? '')] ??= { statements: 0, rows_read: 0, rows_written: 0 });
    t.statements++;
    t.rows_read += meta.rows_read ?? 0;
    t.rows_written += meta.rows_written ?? 0;
  });
}

/**
 * The same database, its every call counted at the wire: the binding's own D1Database class
 * over a fetcher that reads each answer's `meta` (so `first()`, `raw()`, sessions and batches
 * count too, which hide it from the caller).
 */
function meteredDatabase(name: string, db: D1Database): D1Database {
  const inner = (db as unknown as { fetcher: Fetcher }).fetcher;
  const fetcher = {
    async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
      const response = await inner.fetch(input, init);
      if (metering && response.ok) countStatements(name, sqlOf(init?.body), await response.clone().json());
      return response;
    },
  };
  const D1 = db.constructor as new (fetcher: unknown) => D1Database;
  return new D1(fetcher);
}

function meteredQueue<T>(queue: Queue<T>): Queue<T> {
  const count = (body: unknown) => {
    if (!metering) return;
    const bytes = ArrayBuffer.isView(body)
      ? body.byteLength
      : body instanceof ArrayBuffer
        ? body.byteLength
        : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)).byteLength;
    counts.queue.messages++;
    counts.queue.bytes += bytes;
    counts.queue.chunks += Math.ceil((bytes + QUEUE_MESSAGE_OVERHEAD_BYTES) / QUEUE_CHUNK_BYTES);
  };
  return {
    send(body, options) {
      count(body);
      return queue.send(body, options);
    },
    sendBatch(messages, options) {
      for (const m of messages) count(m.body);
      return queue.sendBatch(messages, options);
    },
  } as Queue<T>;
}

// One wrapper per env and per binding, kept: drizzle is built once per database object (src/db/client.ts).
const wrappers = new WeakMap<object, object>();

function kept<T extends object>(binding: T, wrap: (binding: T) => T): T {
  let wrapped = wrappers.get(binding) as T | undefined;
  if (!wrapped) wrappers.set(binding, (wrapped = wrap(binding)));
  return wrapped;
}

/** `env` with every D1 binding and queue producer metered. */
export function meteredEnv(env: Env): Env {
  return kept(env, () => {
    const metered: Env = {
      ...env,
      INGEST_QUEUE: kept(env.INGEST_QUEUE, meteredQueue),
      HISTORICAL_QUEUE: kept(env.HISTORICAL_QUEUE, meteredQueue),
    };
    for (const [name, value] of Object.entries(env)) {
      if (name === 'DB' || /^SHARD_\d+$/.test(name))
        Object.assign(metered, { [name]: kept(value as D1Database, (db) => meteredDatabase(name, db)) });
    }
    return metered;
  });
}

export function countConsumerInvocation(messages: number): void {
  if (!metering) return;
  counts.consumer.invocations++;
  counts.consumer.messages += messages;
}

export function countPersonObjectCall(): void {
  if (metering) counts.person_object_calls++;
}
