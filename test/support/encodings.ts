// A capture payload in every encoding the SDKs use. Pure code (no Worker): plain-Node tests import it directly.
import LZString from 'lz-string';

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
