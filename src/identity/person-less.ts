import { isPlainObject } from './properties';
import type { IdentityEvent, Warning } from './types';

/** Events that only make sense for a person; sent person-less they are dropped. */
const PERSON_ONLY_EVENTS = new Set(['$identify', '$create_alias', '$merge_dangerously', '$groupidentify']);

export interface PersonProcessing {
  processPerson: boolean;
  drop: boolean;
  warnings: Warning[];
}

/**
 * Events PostHog never lets update persons (its NO_PERSON_UPDATE_EVENTS): they
 * are stored like person-less events (with the person their distinct id has,
 * their `$set`s ignored) and create no person.
 */
export const NO_PERSON_UPDATE_EVENTS = new Set(['$exception', '$$heatmap']);

/** posthog-js reports its own problems with this event: an ingestion warning, never an event. */
const CLIENT_INGESTION_WARNING_EVENT = '$$client_ingestion_warning';

/** Spec §4: does this event create or update a person, and is it stored at all? */
export function personProcessingOf(e: IdentityEvent): PersonProcessing {
  const eventUuid = e.uuid;
  if (e.event === CLIENT_INGESTION_WARNING_EVENT) {
    return {
      processPerson: false,
      drop: true,
      warnings: [
        {
          type: 'client_ingestion_warning',
          details: {
            eventUuid,
            event: e.event,
            distinctId: e.distinct_id,
            message: e.properties.$$client_ingestion_warning_message,
          },
        },
      ],
    };
  }
  if (NO_PERSON_UPDATE_EVENTS.has(e.event)) return { processPerson: false, drop: false, warnings: [] };
  const flag = e.properties.$process_person_profile;
  if (flag === undefined || flag === true) return { processPerson: true, drop: false, warnings: [] };
  if (flag !== false) {
    return {
      processPerson: true,
      drop: false,
      warnings: [
        { type: 'invalid_process_person_profile', details: { processPersonProfile: String(flag), eventUuid } },
      ],
    };
  }
  if (PERSON_ONLY_EVENTS.has(e.event)) {
    return {
      processPerson: false,
      drop: true,
      warnings: [
        {
          type: 'invalid_event_when_process_person_profile_is_false',
          details: { event: e.event, distinctId: e.distinct_id, eventUuid },
        },
      ],
    };
  }
  return { processPerson: false, drop: false, warnings: [] };
}

/** Spec §4: a person-less event's `$set`, `$set_once` and `$unset` are dropped, top level and inside properties. */
export function withoutPersonUpdates(e: IdentityEvent): IdentityEvent {
  if (!hasPersonUpdates(e) && !hasPersonUpdates(e.properties)) return e;
  const { $set, $set_once, $unset, ...event } = e as IdentityEvent & { $unset?: unknown };
  const { $set: _s, $set_once: _so, $unset: _u, ...properties } = e.properties;
  return { ...event, properties };
}

const hasPersonUpdates = (o: object) =>
  Object.hasOwn(o, '$set') || Object.hasOwn(o, '$set_once') || Object.hasOwn(o, '$unset');

/**
 * The properties stored on the event row: top-level `$set` / `$set_once` folded into
 * `properties.$set` / `properties.$set_once` (top level wins per key), as PostHog stores them.
 */
export function storedEventProperties(e: IdentityEvent): Record<string, unknown> {
  // Nothing to fold (every person-less event): the event's own object, not a copy.
  if (!isPlainObject(e.$set) && !isPlainObject(e.$set_once)) return e.properties;
  const properties = { ...e.properties };
  if (isPlainObject(e.$set)) {
    properties.$set = { ...(isPlainObject(properties.$set) ? properties.$set : {}), ...e.$set };
  }
  if (isPlainObject(e.$set_once)) {
    properties.$set_once = {
      ...(isPlainObject(properties.$set_once) ? properties.$set_once : {}),
      ...e.$set_once,
    };
  }
  return properties;
}
