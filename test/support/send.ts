// The one sender: a payload onto a capture route in any encoding the SDKs use, and the
// posthog-node style `capture` built on it.
import LZString from 'lz-string';
import { waitForStored } from './wait';
import { fetchWorker } from './worker';

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
  {
    name: 'text/plain JSON',
    method: 'POST',
    encode: async (j) => ({ body: j, headers: { 'Content-Type': 'text/plain' } }),
  },
  {
    name: 'gzip, no hint (sniffed)',
    method: 'POST',
    encode: async (j) => ({ body: await gzip(j), headers: { 'Content-Type': 'text/plain' } }),
  },
  {
    name: 'gzip, compression=gzip-js',
    method: 'POST',
    encode: async (j) => ({
      query: 'compression=gzip-js',
      body: await gzip(j),
      headers: { 'Content-Type': 'text/plain' },
    }),
  },
  {
    name: 'gzip, compression=gzip',
    method: 'POST',
    encode: async (j) => ({ query: 'compression=gzip', body: await gzip(j) }),
  },
  {
    name: 'Content-Encoding: gzip',
    method: 'POST',
    encode: async (j) => ({
      body: await gzip(j),
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    }),
  },
  {
    name: 'form data= base64',
    method: 'POST',
    encode: async (j) => ({ body: `data=${encodeURIComponent(base64(j))}`, headers: form }),
  },
  // `+` sent raw in a form arrives as a space.
  {
    name: 'form data= base64, + as space',
    method: 'POST',
    encode: async (j) => ({ body: `data=${base64(j).replace(/\//g, '%2F').replace(/=/g, '%3D')}`, headers: form }),
  },
  {
    name: 'form, compression=base64',
    method: 'POST',
    encode: async (j) => ({
      query: 'compression=base64',
      body: `data=${encodeURIComponent(base64(j))}`,
      headers: form,
    }),
  },
  {
    name: 'form, compression=b64 in the form',
    method: 'POST',
    encode: async (j) => ({ body: `data=${encodeURIComponent(base64(j))}&compression=b64`, headers: form }),
  },
  {
    name: 'form, compression=lz64',
    method: 'POST',
    encode: async (j) => ({ query: 'compression=lz64', body: `data=${encodeURIComponent(lz64(j))}`, headers: form }),
  },
  {
    name: 'form, compression=lz-string in the form',
    method: 'POST',
    encode: async (j) => ({ body: `data=${encodeURIComponent(lz64(j))}&compression=lz-string`, headers: form }),
  },
  {
    name: 'text/plain lz64 body, compression=lz64',
    method: 'POST',
    encode: async (j) => ({ query: 'compression=lz64', body: lz64(j), headers: { 'Content-Type': 'text/plain' } }),
  },
  {
    name: 'text/plain base64 body, no hint',
    method: 'POST',
    encode: async (j) => ({ body: base64(j), headers: { 'Content-Type': 'text/plain' } }),
  },
  {
    name: 'GET data= base64',
    method: 'GET',
    encode: async (j) => ({ query: `data=${encodeURIComponent(base64(j))}` }),
  },
  { name: 'GET data= JSON', method: 'GET', encode: async (j) => ({ query: `data=${encodeURIComponent(j)}` }) },
  {
    name: 'GET data= lz64, compression=lz64',
    method: 'GET',
    encode: async (j) => ({ query: `compression=lz64&data=${encodeURIComponent(lz64(j))}` }),
  },
];

export const JSON_ENCODING = ENCODINGS[0]!;
/** posthog-node's gzip: a gzipped JSON body with `Content-Encoding: gzip`. */
export const GZIP_ENCODING = ENCODINGS.find((e) => e.name === 'Content-Encoding: gzip')!;

export interface SendOptions {
  /** How the payload goes on the wire (default: a JSON body). */
  encoding?: Encoding;
  /** Appended to the encoding's own query. */
  query?: string;
  /** Added to (and overriding) the encoding's headers. */
  headers?: Record<string, string>;
}

/** Sends `payload` to the capture route `path`; the Worker's answer. */
export async function send(
  path: string,
  payload: unknown,
  { encoding = JSON_ENCODING, query = '', headers = {} }: SendOptions = {},
): Promise<Response> {
  const wire = await encoding.encode(JSON.stringify(payload));
  const params = [wire.query, query].filter(Boolean).join('&');
  return fetchWorker(params ? `${path}?${params}` : path, {
    method: encoding.method,
    body: wire.body,
    headers: { ...wire.headers, ...headers },
  });
}

/** Sends events the way posthog-node does (`POST /batch/` with `{api_key, batch}`); fails unless accepted. */
export async function capture(token: string, batch: unknown[], options: SendOptions = {}): Promise<void> {
  const res = await send('/batch/', { api_key: token, batch }, options);
  if (res.status !== 200) throw new Error(`capture answered ${res.status}: ${await res.text()}`);
}

/** Captures events in one request and waits until all are stored. */
export async function ingest<E extends { uuid: string }>(
  project: { id: number; api_token: string },
  batch: E[],
): Promise<void> {
  await capture(project.api_token, batch);
  await waitForStored(
    project.id,
    batch.map((e) => e.uuid),
  );
}

/** Captures events one request each, in order, waiting for each to be stored before the next. */
export async function ingestInOrder(
  project: { id: number; api_token: string },
  batch: { uuid: string }[],
): Promise<void> {
  for (const e of batch) await ingest(project, [e]);
}

/** Runs `work` over `items`, at most `limit` at a time. */
export async function inParallel<T>(
  items: T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
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

/** The capture error shape, checked. */
export async function captureError(res: Response): Promise<{ status: number; code: string; error: string }> {
  const body = await res.json<{ status: number; code: string; error: string }>();
  if (typeof body?.code !== 'string' || typeof body.error !== 'string' || body.status !== res.status) {
    throw new Error(`not the capture error shape: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return body;
}
