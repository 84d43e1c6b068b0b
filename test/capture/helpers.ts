import { env } from 'cloudflare:workers';
import { and, eq, inArray } from 'drizzle-orm';
import LZString from 'lz-string';
import { vi } from 'vitest';
import { dbOf } from '../../src/db/client';
import { projectDatabase } from '../../src/db/shards';
import { events } from '../../src/db/schema';
import { fetchWorker } from '../helpers';

/** The project's shard. */
export const dbFor = async (projectId: number) => dbOf(await projectDatabase(env, projectId));

export type StoredEvent = typeof events.$inferSelect;

/** Polls D1 until every uuid is stored for the project (the queue consumer writes them). */
export async function waitForEvents(projectId: number, uuids: string[], timeoutMs = 45_000): Promise<Map<string, StoredEvent>> {
  const deadline = Date.now() + timeoutMs;
  const found = new Map<string, StoredEvent>();
  const db = await dbFor(projectId);
  while (Date.now() < deadline) {
    const missing = uuids.filter((u) => !found.has(u));
    for (let i = 0; i < missing.length; i += 50) {
      const rows = await db
        .select()
        .from(events)
        .where(and(eq(events.projectId, projectId), inArray(events.uuid, missing.slice(i, i + 50))));
      for (const row of rows) found.set(row.uuid, row);
    }
    if (found.size === uuids.length) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${uuids.length - found.size} of ${uuids.length} events not stored`);
}

/** Runs `fn` with Date frozen at `now` (the Worker runs in this isolate, so capture sees it too). */
export async function at<T>(now: number, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

export function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export const lz64 = (text: string) => LZString.compressToBase64(text);

/** How a payload is put on the wire: every encoding the SDKs use. */
export interface Encoding {
  name: string;
  /** GET encodings carry the payload in the query. */
  method: 'GET' | 'POST';
  encode(json: string): Promise<{ query?: string; body?: BodyInit; headers?: Record<string, string> }>;
}

const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

export const ENCODINGS: Encoding[] = [
  { name: 'JSON', method: 'POST', encode: async (j) => ({ body: j, headers: { 'Content-Type': 'application/json' } }) },
  { name: 'text/plain JSON', method: 'POST', encode: async (j) => ({ body: j, headers: { 'Content-Type': 'text/plain' } }) },
  { name: 'gzip, no hint (sniffed)', method: 'POST', encode: async (j) => ({ body: await gzip(j), headers: { 'Content-Type': 'text/plain' } }) },
  { name: 'gzip, compression=gzip-js', method: 'POST', encode: async (j) => ({ query: 'compression=gzip-js', body: await gzip(j), headers: { 'Content-Type': 'text/plain' } }) },
  { name: 'gzip, compression=gzip', method: 'POST', encode: async (j) => ({ query: 'compression=gzip', body: await gzip(j) }) },
  { name: 'Content-Encoding: gzip', method: 'POST', encode: async (j) => ({ body: await gzip(j), headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } }) },
  { name: 'form data= base64', method: 'POST', encode: async (j) => ({ body: `data=${encodeURIComponent(base64(j))}`, headers: form }) },
  // `+` sent raw in a form arrives as a space.
  { name: 'form data= base64, + as space', method: 'POST', encode: async (j) => ({ body: `data=${base64(j).replace(/\//g, '%2F').replace(/=/g, '%3D')}`, headers: form }) },
  { name: 'form, compression=base64', method: 'POST', encode: async (j) => ({ query: 'compression=base64', body: `data=${encodeURIComponent(base64(j))}`, headers: form }) },
  { name: 'form, compression=b64 in the form', method: 'POST', encode: async (j) => ({ body: `data=${encodeURIComponent(base64(j))}&compression=b64`, headers: form }) },
  { name: 'form, compression=lz64', method: 'POST', encode: async (j) => ({ query: 'compression=lz64', body: `data=${encodeURIComponent(lz64(j))}`, headers: form }) },
  { name: 'form, compression=lz-string in the form', method: 'POST', encode: async (j) => ({ body: `data=${encodeURIComponent(lz64(j))}&compression=lz-string`, headers: form }) },
  { name: 'text/plain lz64 body, compression=lz64', method: 'POST', encode: async (j) => ({ query: 'compression=lz64', body: lz64(j), headers: { 'Content-Type': 'text/plain' } }) },
  { name: 'text/plain base64 body, no hint', method: 'POST', encode: async (j) => ({ body: base64(j), headers: { 'Content-Type': 'text/plain' } }) },
  { name: 'GET data= base64', method: 'GET', encode: async (j) => ({ query: `data=${encodeURIComponent(base64(j))}` }) },
  { name: 'GET data= JSON', method: 'GET', encode: async (j) => ({ query: `data=${encodeURIComponent(j)}` }) },
  { name: 'GET data= lz64, compression=lz64', method: 'GET', encode: async (j) => ({ query: `compression=lz64&data=${encodeURIComponent(lz64(j))}` }) },
];

/** Sends `payload` to `path` with `encoding`; `query` is appended. */
export async function send(path: string, payload: unknown, encoding: Encoding = ENCODINGS[0]!, query = ''): Promise<Response> {
  const wire = await encoding.encode(JSON.stringify(payload));
  const params = [wire.query, query].filter(Boolean).join('&');
  return fetchWorker(params ? `${path}?${params}` : path, { method: encoding.method, body: wire.body, headers: wire.headers });
}

let n = 0;
/** A distinct event with a fresh uuid and a fixed timestamp. */
export function sdkEvent(extra: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) {
  n += 1;
  return {
    event: `test event ${n}`,
    distinct_id: `user-${n % 7}`,
    uuid: crypto.randomUUID(),
    timestamp: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, n)).toISOString(),
    properties: { n, nested: { list: [1, 'two', null], ok: true }, unicode: 'grüße 🚀', ...properties },
    ...extra,
  };
}

