import type { CaptureWarning, CapturedEvent } from '../queue/message';

/**
 * PostHog's `drop_events_older_than_seconds`: an event whose (corrected)
 * timestamp is more than that many seconds before capture received it is
 * dropped with an `event_dropped_too_old` warning. Null or 0 drops nothing.
 */
export function tooOldWarning(
  event: CapturedEvent,
  now: number,
  dropOlderThanSeconds: number | null,
): CaptureWarning | null {
  if (!dropOlderThanSeconds) return null;
  const timestamp = Date.parse(event.timestamp);
  if (!Number.isFinite(timestamp)) return null;
  const ageInSeconds = (now - timestamp) / 1000;
  if (ageInSeconds <= dropOlderThanSeconds) return null;
  return {
    eventUuid: event.uuid,
    type: 'event_dropped_too_old',
    details: {
      eventUuid: event.uuid,
      event: event.event,
      distinctId: event.distinct_id,
      eventTimestamp: new Date(timestamp).toISOString(),
      ageInSeconds: Math.floor(ageInSeconds),
      dropThresholdSeconds: dropOlderThanSeconds,
    },
  };
}
