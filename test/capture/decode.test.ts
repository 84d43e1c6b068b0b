import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { decodePayload, type RawCapture } from '../../src/capture/decode';
import { CaptureError } from '../../src/http/capture-errors';
import { decodedLength, decompressLz64 } from '../../src/capture/lz64';
import { base64, ENCODINGS, gzip, lz64 } from '../support/encodings';

const enc = new TextEncoder();

function raw(
  body: string | Uint8Array,
  opts: Partial<Omit<RawCapture, 'body' | 'query'>> & { query?: string } = {},
): RawCapture {
  return {
    query: new URLSearchParams(opts.query ?? ''),
    contentType: opts.contentType,
    contentEncoding: opts.contentEncoding,
    body: typeof body === 'string' ? enc.encode(body) : body,
  };
}

async function rejection(p: Promise<unknown>): Promise<CaptureError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CaptureError) return err;
    throw err;
  }
  throw new Error('expected a CaptureError');
}

const payload = {
  api_key: 'phc_x',
  batch: [{ event: 'e', distinct_id: 'd', properties: { s: 'a+b/c= ü 🚀', n: 1.5 } }],
};
const json = JSON.stringify(payload);

describe('decodePayload: every encoding', () => {
  for (const encoding of ENCODINGS) {
    it(encoding.name, async () => {
      const wire = await encoding.encode(json);
      const body =
        wire.body === undefined
          ? new Uint8Array()
          : typeof wire.body === 'string'
            ? enc.encode(wire.body)
            : (wire.body as Uint8Array);
      const headers = new Headers(wire.headers);
      const decoded = await decodePayload({
        query: new URLSearchParams(wire.query ?? ''),
        contentType: headers.get('Content-Type'),
        contentEncoding: headers.get('Content-Encoding'),
        body,
      });
      expect(decoded).toEqual(payload);
    });
  }

  it('prefers a non-empty query data= over the body', async () => {
    expect(await decodePayload(raw('{"a":1}', { query: `data=${encodeURIComponent(base64('{"b":2}'))}` }))).toEqual({
      b: 2,
    });
    expect(await decodePayload(raw('{"a":1}', { query: 'data=' }))).toEqual({ a: 1 });
  });

  it('takes the first compression hint: query, then form, then Content-Encoding', async () => {
    const lz = encodeURIComponent(lz64(json));
    expect(
      await decodePayload(
        raw(`data=${lz}&compression=base64`, {
          query: 'compression=lz64',
          contentType: 'application/x-www-form-urlencoded',
        }),
      ),
    ).toEqual(payload);
    expect(
      await decodePayload(
        raw(`data=${lz}&compression=lz64`, {
          contentType: 'application/x-www-form-urlencoded',
          contentEncoding: 'gzip',
        }),
      ),
    ).toEqual(payload);
  });

  it('reads JSON sent with a form content type (curl -d)', async () => {
    expect(await decodePayload(raw(`  ${json}`, { contentType: 'application/x-www-form-urlencoded' }))).toEqual(
      payload,
    );
  });

  it('treats gzip hint on a plain body as plain (only the magic bytes mean gzip)', async () => {
    expect(await decodePayload(raw(json, { query: 'compression=gzip-js' }))).toEqual(payload);
  });

  it('decodes base64 of gzip', async () => {
    const gz = await gzip(json);
    let binary = '';
    for (const b of gz) binary += String.fromCharCode(b);
    expect(
      await decodePayload(
        raw(`data=${encodeURIComponent(btoa(binary))}`, { contentType: 'application/x-www-form-urlencoded' }),
      ),
    ).toEqual(payload);
  });
});

describe('decodePayload: rejections', () => {
  const cases: [string, RawCapture | (() => Promise<RawCapture>), number, string][] = [
    ['empty body, no query', raw(''), 400, 'empty_payload'],
    ['whitespace body', raw('  \n'), 400, 'empty_payload'],
    ['empty form data', raw('data=', { contentType: 'application/x-www-form-urlencoded' }), 400, 'empty_payload'],
    ['form without data', raw('x=1', { contentType: 'application/x-www-form-urlencoded' }), 400, 'empty_payload'],
    ['bad JSON', raw('{"event": '), 400, 'invalid_json'],
    ['not JSON, not base64', raw('hello there'), 400, 'invalid_json'],
    [
      'bad base64 with compression=base64',
      raw('data=%21%21%21%21', { query: 'compression=base64', contentType: 'application/x-www-form-urlencoded' }),
      400,
      'invalid_base64',
    ],
    ['base64 of a single char remainder', raw('abcde', { query: 'compression=base64' }), 400, 'invalid_base64'],
    ['base64 that is not JSON', raw(base64('not json')), 400, 'invalid_json'],
    [
      'bad gzip (magic, then garbage)',
      raw(new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8, 9])),
      400,
      'invalid_gzip',
    ],
    [
      'truncated gzip',
      async () => {
        const gz = await gzip(json);
        return raw(gz.slice(0, gz.length - 10));
      },
      400,
      'invalid_gzip',
    ],
    [
      'bad lz64',
      raw('data=%21%21%21', { query: 'compression=lz64', contentType: 'application/x-www-form-urlencoded' }),
      400,
      'invalid_lz64',
    ],
    ['lz64 of nothing', raw(LZString.compressToBase64(''), { query: 'compression=lz64' }), 400, 'invalid_lz64'],
    ['invalid UTF-8', raw(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 400, 'invalid_utf8'],
  ];
  for (const [name, input, status, code] of cases) {
    it(name, async () => {
      const req = typeof input === 'function' ? await input() : input;
      const err = await rejection(decodePayload(req));
      expect(err.status).toBe(status);
      expect(err.code).toBe(code);
      expect(err.message.length).toBeGreaterThan(10);
    });
  }

  it('refuses a gzip bomb past the decoded size cap with 413', async () => {
    const bomb = await gzip(' '.repeat(30 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100_000);
    const err = await rejection(decodePayload(raw(bomb)));
    expect(err.status).toBe(413);
    expect(err.code).toBe('payload_too_large');
  });

  it('refuses an lz-string bomb without decompressing it', async () => {
    // A run of one character compresses quadratically: 4 MB become ~8 KB of lz64.
    const bomb = LZString.compressToBase64('a'.repeat(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(12_000);
    expect(decodedLength(bomb, 1e9)).toBe(4 * 1024 * 1024);
    expect(decodedLength(bomb, 1024 * 1024)).toBeNull();
    const err = await rejection(decodePayload(raw(bomb, { query: 'compression=lz64' }), 1024 * 1024));
    expect(err.code).toBe('invalid_lz64');
  });

  it('applies the cap it is given', async () => {
    const err = await rejection(decodePayload(raw(await gzip(json)), 10));
    expect(err.status).toBe(413);
  });
});

describe('lz64 length replay', () => {
  it('predicts exactly the length lz-string decompresses to', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        const packed = LZString.compressToBase64(text);
        expect(decodedLength(packed, 1e9)).toBe(text.length);
        expect(decompressLz64(packed, 1e9)).toBe(text === '' ? null : text);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on garbage, and what it returns is what lz-string returns', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (garbage) => {
        const out = decompressLz64(garbage, 1e6);
        if (out !== null) expect(out).toBe(LZString.decompressFromBase64(garbage));
      }),
      { numRuns: 1000 },
    );
  });
});
