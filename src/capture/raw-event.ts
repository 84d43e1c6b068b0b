import { z } from 'zod';

/**
 * A JSON object: parsed JSON has only string keys, so checking the shape is enough
 * (a `z.record` would also copy every property of every event).
 */
const jsonObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'Invalid input: expected an object',
);
const distinctId = z.union([z.string(), z.number()]);

/** One event as SDKs send it; fields not listed here are dropped. */
export const rawEventSchema = z.object({
  event: z.string().min(1),
  distinct_id: distinctId.nullish(),
  $distinct_id: distinctId.nullish(),
  uuid: z.union([z.guid(), z.literal('')]).nullish(),
  properties: jsonObject.nullish(),
  timestamp: z.union([z.string(), z.number()]).nullish(),
  offset: z.number().nullish(),
  $set: jsonObject.nullish(),
  $set_once: jsonObject.nullish(),
  token: z.string().nullish(),
  $token: z.string().nullish(),
  api_key: z.string().nullish(),
});
export type RawEventFields = z.infer<typeof rawEventSchema>;

// The same rules as `rawEventSchema`, per field, as plain checks: under workerd zod cannot compile
// its parsers (no eval) and interprets each event's schema, a large share of capture's time.
const absent = (v: unknown) => v === undefined || v === null;
const isFiniteNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isStringOrNumber = (v: unknown) => typeof v === 'string' || isFiniteNumber(v);
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
/** zod's `z.guid()` pattern. */
const GUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

const FIELD_CHECKS: [keyof RawEventFields, (v: unknown) => boolean][] = [
  ['event', (v) => typeof v === 'string' && v.length >= 1],
  ['distinct_id', (v) => absent(v) || isStringOrNumber(v)],
  ['$distinct_id', (v) => absent(v) || isStringOrNumber(v)],
  ['uuid', (v) => absent(v) || v === '' || (typeof v === 'string' && GUID.test(v))],
  ['properties', (v) => absent(v) || isObject(v)],
  ['timestamp', (v) => absent(v) || isStringOrNumber(v)],
  ['offset', (v) => absent(v) || isFiniteNumber(v)],
  ['$set', (v) => absent(v) || isObject(v)],
  ['$set_once', (v) => absent(v) || isObject(v)],
  ['token', (v) => absent(v) || typeof v === 'string'],
  ['$token', (v) => absent(v) || typeof v === 'string'],
  ['api_key', (v) => absent(v) || typeof v === 'string'],
];

/**
 * What the schema's parse returns for a value it accepts (the checked fields
 * the value has, in the schema's order), found with plain checks; undefined
 * when the schema would refuse it.
 */
export function acceptedFields<T>(
  checks: [keyof T, (v: unknown) => boolean][],
  item: Record<string, unknown>,
): T | undefined {
  const fields: Record<string, unknown> = {};
  for (const [key, check] of checks) {
    const value = item[key as string];
    if (!check(value)) return undefined;
    if (key in item) fields[key as string] = value;
  }
  return fields as T;
}

/** What `rawEventSchema.parse` returns for an event it accepts, or undefined. */
export const acceptedEventFields = (item: Record<string, unknown>) => acceptedFields(FIELD_CHECKS, item);

/** The event's fields as `rawEventSchema.safeParse` gives them; zod runs only for an event it refuses (its issue). */
export function parseRawEvent(item: Record<string, unknown>): z.ZodSafeParseResult<RawEventFields> {
  const fields = acceptedFields(FIELD_CHECKS, item);
  return fields ? { success: true, data: fields } : rawEventSchema.safeParse(item);
}

/** `{api_key | token, batch, sent_at?, historical_migration?}` (posthog-js ≥1.407, posthog-node, posthog-python). */
export const batchEnvelopeSchema = z.object({
  api_key: z.string().nullish(),
  token: z.string().nullish(),
  batch: z.array(z.unknown()),
  sent_at: z.union([z.string(), z.number()]).nullish(),
  historical_migration: z.unknown().optional(),
});
export type BatchEnvelope = z.infer<typeof batchEnvelopeSchema>;

const ENVELOPE_CHECKS: [keyof BatchEnvelope, (v: unknown) => boolean][] = [
  ['api_key', (v) => absent(v) || typeof v === 'string'],
  ['token', (v) => absent(v) || typeof v === 'string'],
  ['batch', Array.isArray],
  ['sent_at', (v) => absent(v) || isStringOrNumber(v)],
  ['historical_migration', () => true],
];

/** The envelope as `batchEnvelopeSchema.safeParse` gives it (its `batch` the same items, not a copy). */
export function parseBatchEnvelope(payload: Record<string, unknown>): z.ZodSafeParseResult<BatchEnvelope> {
  const fields = acceptedFields(ENVELOPE_CHECKS, payload);
  return fields ? { success: true, data: fields } : batchEnvelopeSchema.safeParse(payload);
}
