const HOUR = 3_600_000;
/** Query `sent_at` / `_` values before this are not clocks (old cache busters). */
const EARLIEST_QUERY_SENT_AT = Date.UTC(2021, 0, 1);

/** Milliseconds since the epoch of an ISO string or epoch-ms number; undefined when unusable. */
function msOf(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const ms = typeof value === 'number' ? value : Date.parse(value);
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : undefined;
}

/**
 * When the client sent the request: the batch body's `sent_at`, else the query's
 * `sent_at` or `_` (epoch ms, ignored before 2021).
 */
export function sentAtOf(bodySentAt: string | number | undefined, query: URLSearchParams): number | undefined {
  const fromBody = msOf(bodySentAt);
  if (fromBody !== undefined) return fromBody;
  for (const name of ['sent_at', '_']) {
    const raw = query.get(name);
    if (!raw || !/^\d+$/.test(raw)) continue;
    const ms = Number(raw);
    if (ms >= EARLIEST_QUERY_SENT_AT) return ms;
  }
  return undefined;
}

interface EventClock {
  timestamp?: string | number | null;
  offset?: number | null;
  /** `properties.$ignore_sent_at === true`: take the timestamp as given. */
  ignoreSentAt?: boolean;
}

/** An ingestion warning about the event's time, in PostHog's names (the event is kept). */
interface TimestampWarning {
  type: 'ignored_invalid_timestamp' | 'event_timestamp_in_future';
  details: Record<string, unknown>;
}

/**
 * The earliest time stored: queries range over 1970 onwards, so an earlier
 * timestamp is stored at the epoch, as PostHog stores an out-of-bounds one.
 */
const EARLIEST_STORED = 0;

/**
 * The event's time as an ISO string, corrected for client clock skew:
 * timestamp + sent_at → now + (timestamp − sent_at); timestamp alone → as given;
 * offset → now − offset; nothing → now. As PostHog's ingestion: an unparseable
 * timestamp → now with `ignored_invalid_timestamp`; more than 23 hours ahead of
 * now → now with `event_timestamp_in_future`; before 1970 → the epoch with
 * `ignored_invalid_timestamp` (reason "out of bounds").
 */
export function checkedEventTimestamp(
  clock: EventClock,
  sentAt: number | undefined,
  now: number,
): { timestamp: string; warning?: TimestampWarning } {
  const timestamp = msOf(clock.timestamp);
  const given = clock.timestamp ?? '';
  if (timestamp === undefined && given !== '') {
    const details = { field: 'timestamp', value: given, reason: 'invalid format' };
    return { timestamp: new Date(now).toISOString(), warning: { type: 'ignored_invalid_timestamp', details } };
  }
  let ms = now;
  if (timestamp !== undefined) {
    ms = sentAt !== undefined && !clock.ignoreSentAt ? now + (timestamp - sentAt) : timestamp;
  } else if (typeof clock.offset === 'number' && Number.isFinite(clock.offset)) {
    ms = now - clock.offset;
  }
  if (ms > now + 23 * HOUR || !Number.isFinite(ms)) {
    const sent = sentAt === undefined ? '' : isoOrNumber(sentAt);
    const details = { timestamp: given, sentAt: sent, offset: clock.offset ?? '', now: new Date(now).toISOString() };
    return { timestamp: new Date(now).toISOString(), warning: { type: 'event_timestamp_in_future', details } };
  }
  if (ms < EARLIEST_STORED) {
    const details = { field: 'timestamp', value: given, offset: clock.offset ?? '', reason: 'out of bounds' };
    const warning: TimestampWarning = { type: 'ignored_invalid_timestamp', details };
    return { timestamp: new Date(EARLIEST_STORED).toISOString(), warning };
  }
  return { timestamp: new Date(ms).toISOString() };
}

/** For warning details: a query `sent_at` may be any number of digits, past what Date can show. */
const isoOrNumber = (ms: number): string | number => (Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : ms);

export function eventTimestamp(clock: EventClock, sentAt: number | undefined, now: number): string {
  return checkedEventTimestamp(clock, sentAt, now).timestamp;
}
