// The real posthog-node client, with its fetch wrapped so suites see every request it made, what
// the service answered, and which events (with their uuids) were delivered.
import { PostHog } from 'posthog-node';
import { decodeCapture, type SentEvent } from './capture-payload';

export interface NodeRequest {
  url: string;
  contentEncoding: string | undefined;
  status: number;
  events: SentEvent[];
  error?: string;
}

export interface RecordedNodeClient {
  client: PostHog;
  requests: NodeRequest[];
  /** Errors posthog-node reported through its 'error' event. */
  errors: string[];
  acceptedEvents(): SentEvent[];
}

export function nodeClient(token: string, host: string): RecordedNodeClient {
  const requests: NodeRequest[] = [];
  const errors: string[] = [];
  const client = new PostHog(token, {
    host,
    fetch: async (url, options) => {
      const body = options.body === undefined ? Buffer.alloc(0) : await toBuffer(options.body);
      const header = (name: string) => Object.entries(options.headers).find(([k]) => k.toLowerCase() === name)?.[1];
      const entry: NodeRequest = { url, contentEncoding: header('content-encoding'), status: 0, events: [] };
      try {
        if (body.length > 0) entry.events = decodeCapture(header('content-type'), body);
      } catch (err) {
        entry.error = `could not read the body: ${err}`;
      }
      requests.push(entry);
      const res = await fetch(url, options as RequestInit);
      entry.status = res.status;
      if (!res.ok) entry.error = await res.clone().text();
      return res;
    },
  });
  client.on('error', (err: unknown) => errors.push(err instanceof Error ? err.message : String(err)));
  return {
    client,
    requests,
    errors,
    acceptedEvents: () => requests.filter((r) => r.status === 200).flatMap((r) => r.events),
  };
}

async function toBuffer(body: string | Blob | ArrayBufferView | ArrayBuffer): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}
