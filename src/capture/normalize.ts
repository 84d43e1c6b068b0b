import { v7 as uuidv7 } from 'uuid';
import type { CaptureWarning, CapturedEvent } from '../queue/message';
import { MAX_NAME_CHARS } from './limits';
import type { RawEvent } from './shapes';
import { checkedEventTimestamp } from './timestamps';

interface CaptureClock {
  /** When the request arrived (epoch ms). */
  now: number;
  /** When the client says it sent the request (epoch ms). */
  sentAt?: number;
}

/**
 * A validated event as it goes on the queue: uuid set, names truncated, timestamp corrected
 * (a timestamp warning, when the time was replaced, goes to `warnings`).
 */
export function capturedEventOf(raw: RawEvent, clock: CaptureClock, warnings?: CaptureWarning[]): CapturedEvent {
  // The request's own parsed object: nothing else holds it, so it is completed in place.
  const properties = raw.properties ?? {};
  truncateMergeSources(raw.event, properties);
  const time = checkedEventTimestamp(
    { timestamp: raw.timestamp, offset: raw.offset, ignoreSentAt: properties.$ignore_sent_at === true },
    clock.sentAt,
    clock.now,
  );
  const captured: CapturedEvent = {
    uuid: raw.uuid ? raw.uuid.toLowerCase() : uuidv7(),
    event: truncated(raw.event),
    distinct_id: truncated(raw.distinctId),
    properties,
    timestamp: time.timestamp,
  };
  if (time.warning) {
    const details = { ...time.warning.details, eventUuid: captured.uuid, event: captured.event };
    warnings?.push({ eventUuid: captured.uuid, type: time.warning.type, details });
  }
  if (raw.$set) captured.$set = raw.$set;
  if (raw.$set_once) captured.$set_once = raw.$set_once;
  return captured;
}

/**
 * The ids a merge takes from properties become distinct ids, so they are cut
 * like `distinct_id`: an anonymous id longer than 200 characters still matches
 * the (cut) distinct id its earlier events were stored under.
 */
function truncateMergeSources(event: string, properties: Record<string, unknown>): void {
  if (typeof properties.$anon_distinct_id === 'string')
    properties.$anon_distinct_id = truncated(properties.$anon_distinct_id);
  if ((event === '$create_alias' || event === '$merge_dangerously') && typeof properties.alias === 'string') {
    properties.alias = truncated(properties.alias);
  }
}

/** The first 200 characters (code points, so a surrogate pair is never split). */
export function truncated(text: string): string {
  if (text.length <= MAX_NAME_CHARS) return text;
  return Array.from(text).slice(0, MAX_NAME_CHARS).join('');
}
