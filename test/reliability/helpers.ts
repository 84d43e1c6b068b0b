import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { projectDatabase, shardDatabases } from '../../src/db/shards';
import worker from '../../src/index';
import { BASE, fetchWorker } from '../helpers';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Calls the Worker's own fetch handler with the real bindings, skipping only the
 * test harness's loopback. Under vitest-pool-workers 0.15, every call through
 * `exports.default.fetch` wraps the entrypoint prototype in one more Proxy, so
 * each call gets slower than the last (workers-sdk issues 15092 and 15446):
 * fine for a few hundred requests, not for thousands of fuzz runs.
 */
export async function callWorker(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** POSTs JSON to a capture route the way posthog-node does (`/batch/` by default). */
export function postJson(body: unknown, path = '/batch/', headers: Record<string, string> = {}): Promise<Response> {
  return fetchWorker(path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });
}

/** The capture error shape, checked. */
export async function captureError(res: Response): Promise<{ status: number; code: string; error: string }> {
  const body = await res.json<{ status: number; code: string; error: string }>();
  if (typeof body?.code !== 'string' || typeof body.error !== 'string' || body.status !== res.status) {
    throw new Error(`not the capture error shape: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body;
}

/** The count a `SELECT COUNT(*) AS n …` gives summed over every database: the catalog and all shards. */
export async function countRows(sql: string, ...params: unknown[]): Promise<number> {
  const counts = await Promise.all([env.DB, ...shardDatabases(env)].map((db) => db.prepare(sql).bind(...params).first<{ n: number }>()));
  return counts.reduce((sum, row) => sum + (row?.n ?? 0), 0);
}

/** The count a `SELECT COUNT(*) AS n …` gives on the project's own shard. */
export async function countProjectRows(projectId: number, sql: string, ...params: unknown[]): Promise<number> {
  const row = await (await projectDatabase(env, projectId)).prepare(sql).bind(...params).first<{ n: number }>();
  return row?.n ?? 0;
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inParallel<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i]!, i);
      }
    }),
  );
}

/** A small seeded PRNG (mulberry32, shared with the benchmarks), so the soak and fault scenarios are the same on every run. */
export { seededRandom } from '../../scripts/lib/seeded-random.mjs';

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
