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

/**
 * The event's time as an ISO string, corrected for client clock skew:
 * timestamp + sent_at → now + (timestamp − sent_at); timestamp alone → as given;
 * offset → now − offset; nothing → now. More than 23 hours ahead of now → now.
 * An unparseable timestamp counts as none.
 */
export function eventTimestamp(clock: EventClock, sentAt: number | undefined, now: number): string {
  const timestamp = msOf(clock.timestamp);
  let ms = now;
  if (timestamp !== undefined) {
    ms = sentAt !== undefined && !clock.ignoreSentAt ? now + (timestamp - sentAt) : timestamp;
  } else if (typeof clock.offset === 'number' && Number.isFinite(clock.offset)) {
    ms = now - clock.offset;
  }
  if (ms > now + 23 * HOUR || !isIsoYear(ms)) ms = now;
  return new Date(ms).toISOString();
}

/** Years 0000–9999 keep the plain `YYYY-MM-DDTHH:mm:ss.sssZ` form. */
const isIsoYear = (ms: number) => ms >= -62_167_219_200_000 && ms < 253_402_300_800_000;
