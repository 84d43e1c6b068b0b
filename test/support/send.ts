// The one sender: a payload onto a capture route in any encoding the SDKs use, and the
// posthog-node style `capture` built on it.
import { type Encoding, JSON_ENCODING } from './encodings';
import { waitForStored } from './wait';
import { fetchWorker } from './worker';

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
