import type { z } from 'zod';
import { NestedTooDeep, cleanJson, wellFormed } from './clean-json';
import { CaptureError, badRequest, type CaptureErrorCode } from '../http/capture-errors';
import { MAX_EVENTS_PER_REQUEST, MAX_NAME_CHARS, MAX_PROPERTY_DEPTH } from './limits';
import { parseBatchEnvelope, parseRawEvent, type RawEventFields } from './raw-event';

/** A validated event, with its distinct id found (`distinct_id`, `$distinct_id` or `properties.distinct_id`). */
export type RawEvent = RawEventFields & { distinctId: string };

/** The events of one capture request, with what the request says for all of them. */
export interface CaptureBatch {
  token?: string;
  sentAt?: string | number;
  /**
   * `historical_migration: true` (PostHog's import tools, the SDKs' `historicalMigration`):
   * an import, not live traffic.
   */
  historicalMigration?: boolean;
  events: RawEvent[];
}

/**
 * The shapes, tried in the spec's order: an array of events, a batch object, a
 * single event; on `/engage` an object without `event` is a `$identify`.
 */
export function batchOf(payload: unknown, opts: { engage?: boolean } = {}): CaptureBatch {
  let items: unknown[];
  let where: (i: number) => string;
  const batch: CaptureBatch = { events: [] };
  if (Array.isArray(payload)) {
    items = payload;
    where = (i) => `[${i}]`;
  } else if (isObject(payload) && 'batch' in payload) {
    const parsed = parseBatchEnvelope(payload);
    if (!parsed.success) throw badRequest('invalid_payload', `Invalid batch: ${describe(parsed.error.issues[0])}.`);
    items = parsed.data.batch;
    where = (i) => `batch[${i}]`;
    batch.token = parsed.data.api_key || parsed.data.token || undefined;
    batch.sentAt = parsed.data.sent_at ?? undefined;
    batch.historicalMigration = parsed.data.historical_migration === true;
  } else if (isObject(payload)) {
    items = [payload];
    where = () => 'event';
  } else {
    throw badRequest('invalid_payload', 'The payload must be an event object, an array of events or {"batch": [...]}.');
  }
  if (items.length === 0) throw badRequest('empty_batch', 'The batch has no events.');
  if (items.length > MAX_EVENTS_PER_REQUEST) {
    throw new CaptureError(
      413,
      'too_many_events',
      `The request carries ${items.length} events; the limit is ${MAX_EVENTS_PER_REQUEST} per request.`,
    );
  }
  batch.events = items.map((item, i) => eventOf(item, where(i), opts.engage ?? false));
  return batch;
}

function eventOf(item: unknown, where: string, engage: boolean): RawEvent {
  if (!isObject(item)) throw badRequest('invalid_event', `${where} must be an object.`);
  const missingName = item.event === undefined || item.event === null || item.event === '';
  if (missingName && engage) item = { ...item, event: '$identify' };
  else if (missingName) throw badRequest('missing_event_name', `${where} has no event name (\`event\`).`);
  const parsed = parseRawEvent(cleanEvent(item as Record<string, unknown>, where));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(codeOf(issue?.path[0]), `${where}: ${describe(issue)}.`);
  }
  return { ...parsed.data, distinctId: distinctIdOf(parsed.data, where) };
}

/**
 * Strings made well-formed, and nesting bounded before anything recursive sees
 * the event: the event object is one level, its `properties` the next.
 */
function cleanEvent(item: Record<string, unknown>, where: string): Record<string, unknown> {
  try {
    return cleanJson(item, MAX_PROPERTY_DEPTH + 1) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof NestedTooDeep)) throw err;
    const name = typeof item.event === 'string' ? ` (event "${wellFormed(item.event).slice(0, MAX_NAME_CHARS)}")` : '';
    const path = err.path.join('.');
    const shown = path.length > 300 ? `${path.slice(0, 300)}…` : path;
    throw badRequest(
      'properties_too_deep',
      `${where}${name}: \`${shown}\` nests deeper than ${MAX_PROPERTY_DEPTH} levels.`,
    );
  }
}

/** Numbers are stringified; an empty or absent distinct id is refused. */
function distinctIdOf(event: RawEventFields, where: string): string {
  const fromProperties = event.properties?.distinct_id;
  const id = event.distinct_id ?? event.$distinct_id ?? fromProperties;
  if (typeof id === 'number') return String(id);
  if (typeof id === 'string' && id !== '') return id;
  if (id === undefined || id === null || id === '')
    throw badRequest('missing_distinct_id', `${where} has no distinct id (\`distinct_id\`).`);
  throw badRequest('invalid_distinct_id', `${where}: \`properties.distinct_id\` must be a string or a number.`);
}

function codeOf(field: PropertyKey | undefined): CaptureErrorCode {
  switch (field) {
    case 'event':
      return 'invalid_event_name';
    case 'distinct_id':
    case '$distinct_id':
      return 'invalid_distinct_id';
    case 'uuid':
      return 'invalid_uuid';
    default:
      return 'invalid_event';
  }
}

function describe(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `\`${path}\` ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}` : issue.message;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
