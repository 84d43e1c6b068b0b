import { gunzipSync } from 'node:zlib';
import { CaptureError, badRequest } from '../http/capture-errors';
import { MAX_DECODED_BYTES } from './limits';
import { decompressLz64 } from './lz64';

/** What decoding needs from a capture request. */
export interface RawCapture {
  query: URLSearchParams;
  contentType?: string | null;
  contentEncoding?: string | null;
  body: Uint8Array;
}

type Compression = 'gzip' | 'lz64' | 'base64' | 'none';

const COMPRESSION_OF: Record<string, Compression> = {
  gzip: 'gzip',
  'gzip-js': 'gzip',
  lz64: 'lz64',
  'lz-string': 'lz64',
  base64: 'base64',
  b64: 'base64',
};

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf8Encoder = new TextEncoder();

/**
 * Decodes a capture request's payload (spec: "Decoding the body") into the
 * parsed JSON value: query `data=` or the body, form field `data`, the
 * compression hint, gzip by magic bytes, and one more base64 pass.
 */
export async function decodePayload(req: RawCapture, maxDecodedBytes = MAX_DECODED_BYTES): Promise<unknown> {
  const queryData = req.query.get('data');
  let text: string | undefined;
  let formCompression: string | null = null;
  if (queryData) {
    text = queryData;
  } else if (isForm(req.contentType) && !isGzip(req.body) && !looksLikeJson(req.body)) {
    const form = new URLSearchParams(utf8Of(req.body));
    text = form.get('data') ?? '';
    formCompression = form.get('compression');
  }
  if ((text ?? req.body).length === 0)
    throw badRequest('empty_payload', 'The request has no payload: send a body or a non-empty `data` query parameter.');

  const compression = compressionOf(req.query.get('compression'), formCompression, req.contentEncoding);
  if (compression === 'lz64') {
    const lz = (text ?? utf8Of(req.body)).trim().replace(/ /g, '+');
    const json = decompressLz64(lz, maxDecodedBytes);
    if (json === null)
      throw badRequest(
        'invalid_lz64',
        'The payload is not valid lz-string base64 (compression=lz64), or decompresses past the size limit.',
      );
    return parseJson(json);
  }

  let bytes = text === undefined ? req.body : utf8Encoder.encode(text);
  if (compression === 'base64') bytes = decodeBase64(utf8Of(bytes));
  // gzip is recognised by its magic bytes: newer posthog-js sends it with no hint.
  if (isGzip(bytes)) bytes = await gunzip(bytes, maxDecodedBytes);
  let decoded = utf8Of(bytes);

  // JSON (the usual case) starts with `{` or `[`, which base64 never does.
  const base64 = looksLikeJson(bytes) ? '' : decoded.trim().replace(/ /g, '+');
  if (isStrictBase64(base64)) {
    bytes = decodeBase64(base64);
    if (isGzip(bytes)) bytes = await gunzip(bytes, maxDecodedBytes);
    decoded = utf8Of(bytes);
  }
  return parseJson(decoded);
}

function compressionOf(...hints: (string | null | undefined)[]): Compression {
  const hint = hints.find((h) => h !== null && h !== undefined && h.trim() !== '');
  return (hint && COMPRESSION_OF[hint.trim().toLowerCase()]) || 'none';
}

const isForm = (contentType?: string | null) =>
  !!contentType && contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');

/** `curl -d '{...}'` sends JSON labelled as a form; a form never starts with `{` or `[`. */
function looksLikeJson(bytes: Uint8Array): boolean {
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  return first === 0x7b || first === 0x5b;
}

const isGzip = (bytes: Uint8Array) => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

function utf8Of(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badRequest('invalid_utf8', 'The payload is not valid UTF-8.');
  }
}

const isStrictBase64 = (s: string) => s.length > 0 && s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);

/** Base64 as SDKs send it: a `+` may have become a space, padding may be missing, URL-safe letters allowed. */
function decodeBase64(text: string): Uint8Array {
  let s = text
    .trim()
    .replace(/ /g, '+')
    .replace(/[\r\n\t]/g, '')
    .replace(/-/g, '+')
    .replace(/_/g, '/');
  s = s.replace(/=+$/, '');
  if (s.length === 0 || s.length % 4 === 1 || !/^[A-Za-z0-9+/]*$/.test(s)) {
    throw badRequest('invalid_base64', 'The payload is not valid base64.');
  }
  s += '='.repeat((4 - (s.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(s);
  } catch {
    throw badRequest('invalid_base64', 'The payload is not valid base64.');
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * gunzip in one native call (workerd's node:zlib: about ten times cheaper than a
 * DecompressionStream for an event), refusing output past `max` bytes: 413 for
 * a payload that inflates past it, 400 for anything that is not gzip.
 */
async function gunzip(bytes: Uint8Array, max: number): Promise<Uint8Array> {
  try {
    return gunzipSync(bytes, { maxOutputLength: max });
  } catch (error) {
    if (isTooLarge(error))
      throw new CaptureError(413, 'payload_too_large', `The decompressed payload is larger than ${max} bytes.`);
    throw badRequest('invalid_gzip', 'The payload is not valid gzip.');
  }
}

const isTooLarge = (error: unknown) =>
  error instanceof RangeError || (error as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE';

/** Reads a byte stream into one array, refusing more than `max` bytes (413). */
export async function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
  onStreamError: (err: unknown) => CaptureError,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        reader.cancel().catch(() => {});
        throw new CaptureError(413, 'payload_too_large', `The request body is larger than ${max} bytes.`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof CaptureError) throw err;
    throw onStreamError(err);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw badRequest('empty_payload', 'The payload is empty after decoding.');
  try {
    return JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? `: ${err.message.slice(0, 200)}` : '';
    throw badRequest('invalid_json', `The payload is not valid JSON${why}.`);
  }
}
