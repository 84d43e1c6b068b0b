import {
  MAX_PERSON_PROPERTIES_BYTES,
  personPropertiesSizeViolation,
  propertiesSizeOf,
  propertiesWithin,
} from './limits';
import { isMergeAllowed, mergeCaseOf, refusedMergeWarning } from './merge';
import { mergeProperties, newPersonProperties, propertyUpdatesOf } from './properties';
import { applyUpdatesAt, mergeWrites, newPersonWrites, withinWritesLimit } from './property-writes';
import type { HistoryLine, MergeRequest, Person, PersonEvent, Warning } from './types';

/**
 * What one step does to persons, as data: the person before and after, the
 * distinct ids it claims or moves, its history lines and each event with its
 * warnings. Writing it (guarded, atomic) is the persons module's job.
 */
export interface Transition {
  /** The person as read; null when the step creates it. */
  before: Person | null;
  /** The person as it will be written (unchanged version: nothing to write). */
  after: Person;
  /** A person merged into `after`: its distinct ids move to `after` and it is deleted. */
  absorbed: Person | null;
  /** Distinct ids newly attached to `after`. */
  claims: string[];
  /** What the outcome relies on: persons still at these versions, distinct ids still owned by these persons. */
  expects: { versions: [personId: string, version: number][]; owners: [distinctId: string, personId: string][] };
  history: HistoryLine[];
  /** The step's events, each with every warning it raised. */
  events: PersonEvent[];
  /** Distinct ids known to belong to `after` once written. */
  owns: string[];
}

/** Apply these events' property updates, in order, to one person (creating it for `createFor` if it has none). */
export interface UpdateInput {
  projectId: number;
  personId: string;
  createFor?: string;
  /** The distinct ids of these events, all expected to belong to `personId`. */
  distinctIds: string[];
  events: PersonEvent[];
}

/** One merge event (spec §2), for `personId`: the person that will hold both ids. */
export interface MergeInput {
  projectId: number;
  personId: string;
  request: MergeRequest;
  sourcePersonId: string | null;
  targetPersonId: string | null;
  event: PersonEvent;
}

const withWarning = (item: PersonEvent, warning: Warning | null): PersonEvent =>
  warning ? { ...item, warnings: [...item.warnings, warning] } : item;

/** A warning when the properties grew past the size limit. */
function sizeViolation(personId: string, item: PersonEvent, properties: Record<string, unknown>): Warning | null {
  if (propertiesWithin(properties, MAX_PERSON_PROPERTIES_BYTES)) return null;
  const e = item.event;
  return personPropertiesSizeViolation(personId, e.distinct_id, e.uuid, propertiesSizeOf(properties));
}

/**
 * Spec §3, the property transition: each event's `$set_once`/`$set`/`$unset`
 * in order, one version step per changing event. An update that would pass the
 * size limit is refused and its event gets a warning. An ignorable update
 * (PostHog's FILTERED_PERSON_UPDATE_PROPERTIES) changes the properties without
 * a version step, so it is written only along with a later real change.
 */
export function withPropertyUpdates(person: Person, items: PersonEvent[]): { person: Person; events: PersonEvent[] } {
  let { properties, propertyWrites, version } = person;
  const events = items.map((item) => {
    const next = applyUpdatesAt(
      { properties, writes: propertyWrites },
      propertyUpdatesOf(item.event),
      item.event.timestamp,
      item.event.event,
    );
    if (!next.changed) return item;
    const violation = sizeViolation(person.id, item, next.properties);
    if (violation) return withWarning(item, violation);
    properties = next.properties;
    propertyWrites = next.writes;
    // PostHog's filtered updates (a new URL, browser, …): kept, but written only with the next real change.
    if (!next.ignorable) version += 1;
    return item;
  });
  if (propertyWrites !== person.propertyWrites) propertyWrites = withinWritesLimit(propertyWrites);
  return { person: { ...person, properties, propertyWrites, version }, events };
}

/** Spec §3: a new person from its first event; past the size limit it keeps only `$creator_event_uuid`. */
function newPerson(
  projectId: number,
  id: string,
  first: PersonEvent,
  isIdentified: boolean,
): { person: Person; event: PersonEvent } {
  const e = first.event;
  const updates = propertyUpdatesOf(e);
  let properties = newPersonProperties(updates, e.uuid);
  let propertyWrites = withinWritesLimit(newPersonWrites(updates, e.timestamp));
  const violation = sizeViolation(id, first, properties);
  if (violation) {
    properties = { $creator_event_uuid: e.uuid };
    propertyWrites = {};
  }
  return {
    person: { id, projectId, properties, propertyWrites, isIdentified, createdAt: e.timestamp, version: 0 },
    event: withWarning(first, violation),
  };
}

/** The event's updates applied and the person marked identified (a version step if that changed). */
function identifiedWith(current: Person, item: PersonEvent): { person: Person; event: PersonEvent } {
  const { person, events } = withPropertyUpdates(current, [item]);
  const version = person.version + (current.isIdentified ? 0 : 1);
  return { person: { ...person, isIdentified: true, version }, event: events[0]! };
}

const noExpectations = (): Transition['expects'] => ({ versions: [], owners: [] });

/**
 * Property updates for one person (`current`, as read), creating it when asked
 * to. Null: the step cannot run against that row (its person is gone).
 */
export function updateTransition(current: Person | undefined, input: UpdateInput): Transition | null {
  const { projectId, personId } = input;
  if (!current) {
    const [first, ...rest] = input.events;
    if (!input.createFor || !first) return null;
    const created = newPerson(projectId, personId, first, false);
    const { person, events } = withPropertyUpdates(created.person, rest);
    return {
      before: null,
      after: person,
      absorbed: null,
      claims: [input.createFor],
      expects: noExpectations(),
      history: [],
      events: [created.event, ...events],
      owns: [input.createFor],
    };
  }
  const { person, events } = withPropertyUpdates(current, input.events);
  return {
    before: current,
    after: person,
    absorbed: null,
    claims: [],
    expects: { versions: [[personId, current.version]], owners: input.distinctIds.map((d) => [d, personId]) },
    history: [],
    events,
    owns: input.distinctIds,
  };
}

/**
 * One merge event (spec §2). `current` is the row of `input.personId` (the
 * person that will hold both ids), `source` the source id's person when it has
 * one of its own. Null: the step cannot run against these rows.
 */
export function mergeTransition(
  current: Person | undefined,
  source: Person | undefined,
  input: MergeInput,
): Transition | null {
  const { projectId, personId, request, event: item } = input;
  const mergeCase = mergeCaseOf(
    input.sourcePersonId ? { id: input.sourcePersonId } : null,
    input.targetPersonId ? { id: input.targetPersonId } : null,
  );
  const identified = (added: string[]): HistoryLine => ({
    kind: 'identify',
    sourcePersonId: personId,
    targetPersonId: personId,
    eventUuid: item.event.uuid,
    details: { event: request.kind, distinct_ids_added: added },
  });

  if (mergeCase === 'create_both') {
    const { person, event } = newPerson(projectId, personId, item, true);
    const ids = [request.target, request.source];
    return {
      before: null,
      after: person,
      absorbed: null,
      claims: ids,
      expects: noExpectations(),
      history: [identified(ids)],
      events: [event],
      owns: ids,
    };
  }
  if (!current) return null;

  if (mergeCase !== 'merge_persons') {
    // One person already: attach the missing id (if any) and mark it identified.
    const [owned, added] =
      mergeCase === 'add_target_to_source'
        ? [request.source, request.target]
        : mergeCase === 'add_source_to_target'
          ? [request.target, request.source]
          : [request.target, null];
    const { person, event } = identifiedWith(current, item);
    return {
      before: current,
      after: person,
      absorbed: null,
      claims: added ? [added] : [],
      expects: { versions: [[personId, current.version]], owners: [[owned, personId]] },
      history: added || !current.isIdentified ? [identified(added ? [added] : [])] : [],
      events: [event],
      owns: [request.source, request.target],
    };
  }

  // Two persons: merge the source's person into the target's, unless refused.
  if (!source) return null;
  const expects: Transition['expects'] = {
    versions: [
      [personId, current.version],
      [source.id, source.version],
    ],
    owners: [
      [request.target, personId],
      [request.source, source.id],
    ],
  };
  if (!isMergeAllowed(request.kind, source.isIdentified)) {
    const { person, event } = identifiedWith(current, withWarning(item, refusedMergeWarning(request, item.event.uuid)));
    return {
      before: current,
      after: person,
      absorbed: null,
      claims: [],
      expects,
      history: [],
      events: [event],
      owns: [request.target],
    };
  }

  // The merge always happens; properties that would pass the size limit stay the target's own.
  const merged = mergeProperties(source.properties, current.properties);
  const violation = sizeViolation(personId, item, merged);
  const mergedWrites = withinWritesLimit(
    mergeWrites(
      { properties: source.properties, writes: source.propertyWrites },
      { properties: current.properties, writes: current.propertyWrites },
    ),
  );
  const combined = withPropertyUpdates(
    violation ? current : { ...current, properties: merged, propertyWrites: mergedWrites },
    [withWarning(item, violation)],
  );
  const person: Person = {
    ...combined.person,
    isIdentified: true,
    createdAt: source.createdAt < current.createdAt ? source.createdAt : current.createdAt,
    version: Math.max(source.version, current.version) + 1,
  };
  return {
    before: current,
    after: person,
    absorbed: source,
    claims: [],
    expects,
    history: [
      {
        kind: 'merge',
        sourcePersonId: source.id,
        targetPersonId: personId,
        eventUuid: item.event.uuid,
        details: { event: request.kind, source_distinct_id: request.source, target_distinct_id: request.target },
      },
    ],
    events: combined.events,
    owns: [request.source, request.target],
  };
}
