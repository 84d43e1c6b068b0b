import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptedEventFields,
  acceptedFields,
  batchEnvelopeSchema,
  parseBatchEnvelope,
  parseRawEvent,
  rawEventSchema,
} from '../../src/capture/raw-event';

const FIELDS = Object.keys(rawEventSchema.shape);
const UUID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

/** Values as JSON.parse gives them (1e999 parses to Infinity), and near misses of each field's rule. */
const value = fc.oneof(
  fc.constantFrom(
    null,
    '',
    'x',
    UUID,
    UUID.toUpperCase(),
    `${UUID}0`,
    UUID.replace(/-/g, ''),
    0,
    -1.5,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    true,
    false,
    {},
    { a: 1 },
    [],
    [1],
  ),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
);
const item = fc.dictionary(fc.constantFrom(...FIELDS, 'type', 'library'), value, { maxKeys: 14 });

describe('raw events: the plain checks and zod', () => {
  it('accept exactly what rawEventSchema accepts, with the same fields', () => {
    fc.assert(
      fc.property(item, (event) => {
        const zod = rawEventSchema.safeParse(event);
        const fields = acceptedEventFields(event);
        expect(fields !== undefined).toBe(zod.success);
        if (zod.success) {
          expect(fields).toStrictEqual(zod.data);
          expect(Object.keys(fields!)).toEqual(Object.keys(zod.data));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it('answers a refused event with zod’s issue', () => {
    const refused = parseRawEvent({ event: 'e', distinct_id: 'd', offset: '5' });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['offset']);
    expect(parseRawEvent({ event: 'e', uuid: UUID, extra: 1 })).toEqual({
      success: true,
      data: { event: 'e', uuid: UUID },
    });
  });

  it('accept exactly the batch envelopes batchEnvelopeSchema accepts, with the same fields', () => {
    const envelope = fc.dictionary(
      fc.constantFrom(...Object.keys(batchEnvelopeSchema.shape), 'extra'),
      fc.oneof(value, fc.array(value, { maxLength: 3 })),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(envelope, (payload) => {
        const zod = batchEnvelopeSchema.safeParse(payload);
        const parsed = parseBatchEnvelope(payload);
        expect(parsed.success).toBe(zod.success);
        if (zod.success) expect(parsed.data).toStrictEqual(zod.data);
        if (!zod.success) expect(parsed.error?.issues).toEqual(zod.error.issues);
      }),
      { numRuns: 1_000 },
    );
  });

  it('acceptedFields keeps a present key even when its value is undefined, as zod does', () => {
    const checks: ['a', (v: unknown) => boolean][] = [['a', () => true]];
    expect(Object.keys(acceptedFields<{ a?: unknown }>(checks, { a: undefined }) ?? {})).toEqual(['a']);
    expect(Object.keys(acceptedFields<{ a?: unknown }>(checks, {}) ?? {})).toEqual([]);
  });
});
