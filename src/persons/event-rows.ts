import type { EventRow } from '../db/event-writes';
import { groupColumnValues } from '../groups/rules';
import { storedEventProperties, uuidFromDistinctId, type IdentityEvent } from '../identity';

/** The row an ingested event is stored as, with the person it was ingested under. */
export function eventRowOf(projectId: number, e: IdentityEvent, personId: string): EventRow {
  const properties = storedEventProperties(e);
  return {
    projectId,
    uuid: e.uuid,
    event: e.event,
    distinctId: e.distinct_id,
    personIdAtIngest: personId,
    properties,
    timestamp: e.timestamp,
    ...groupColumnValues(properties),
  };
}

/**
 * Spec §4: a person-less event is stored with the person its distinct id has
 * now, else the uuid a person created for that id would get.
 */
export function personLessEventRowOf(projectId: number, e: IdentityEvent, owners: Map<string, string>): EventRow {
  return eventRowOf(projectId, e, owners.get(e.distinct_id) ?? uuidFromDistinctId(projectId, e.distinct_id));
}
