// Reads what an SDK sent to a capture endpoint, so suites know the exact events (and their
// uuids) that left the client.
import { gunzipSync } from 'node:zlib';

export interface SentEvent {
  uuid: string | undefined;
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
}

/** Just enough of the capture protocol to read what posthog-js sent (gzip, base64, form or JSON). */
export function decodeCapture(contentType: string | undefined, body: Buffer): SentEvent[] {
  let bytes = body;
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const data = new URLSearchParams(body.toString('utf8')).get('data') ?? '';
    bytes = Buffer.from(data.replace(/ /g, '+'), 'base64');
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  let text = bytes.toString('utf8');
  if (!/^\s*[[{]/.test(text)) text = Buffer.from(text, 'base64').toString('utf8');
  const payload: unknown = JSON.parse(text);
  const list: unknown[] = Array.isArray(payload)
    ? payload
    : payload && typeof payload === 'object' && Array.isArray((payload as { batch?: unknown }).batch)
      ? (payload as { batch: unknown[] }).batch
      : [payload];
  return list.map((raw) => {
    const e = raw as Record<string, unknown> & { properties?: Record<string, unknown> };
    const properties = e.properties ?? {};
    return {
      uuid: typeof e.uuid === 'string' ? e.uuid : undefined,
      event: String(e.event),
      distinct_id: String(e.distinct_id ?? e.$distinct_id ?? properties.distinct_id),
      properties,
    };
  });
}
