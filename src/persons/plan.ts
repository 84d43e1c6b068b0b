import {
  MAX_PERSON_PROPERTIES_BYTES,
  applyPropertyUpdates,
  isMergeAllowed,
  mergeCaseOf,
  mergeProperties,
  newPersonProperties,
  personPropertiesSizeViolation,
  propertiesSizeOf,
  propertyUpdatesOf,
  refusedMergeWarning,
  storedEventProperties,
  uuidFromDistinctId,
  type IdentityEvent,
  type Warning,
} from '../identity';
import type { Db } from '../db/client';
import { groupColumnValues } from '../groups/rules';
import {
  claimDistinctId,
  deletePerson,
  guardUnchanged,
  insertEvents,
  insertHistory,
  insertMergeRecord,
  insertPerson,
  insertWarnings,
  moveDistinctIds,
  updatePerson,
  type EventRow,
  type PersonRow,
  type Statement,
  type WarningRow,
} from './store';
import type { MergeStep, PersonEvent, StepResult, UpdateStep } from './steps';

/**
 * What one step will write, as one guarded atomic batch, and what it answers
 * once written. Planning reads nothing: it works from the person rows given.
 * `null`: the step cannot run against those rows (its person is gone).
 */
export interface Plan {
  /** Guards first, then the person writes. */
  statements: Statement[];
  /** Stored in the same batch, after the statements (multi-row inserts when plans are combined). */
  events: EventRow[];
  warnings: WarningRow[];
  result: Extract<StepResult, { status: 'ok' }>;
}

/** All of a plan's writes, in order, for one atomic batch. */
export const planWrites = (db: Db, plan: Pick<Plan, 'statements' | 'events' | 'warnings'>): Statement[] => [
  ...plan.statements,
  ...insertEvents(db, plan.events),
  ...insertWarnings(db, plan.warnings),
];

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

export function warningRowsOf(projectId: number, eventUuid: string | null, warnings: Warning[]): WarningRow[] {
  const timestamp = new Date().toISOString();
  return warnings.map((w) => ({ projectId, type: w.type, details: w.details, eventUuid, timestamp }));
}

function eventAndWarningRows(projectId: number, personId: string, items: PersonEvent[]): Pick<Plan, 'events' | 'warnings'> {
  return {
    events: items.map((i) => eventRowOf(projectId, i.event, personId)),
    warnings: items.flatMap((i) => warningRowsOf(projectId, i.event.uuid, i.warnings)),
  };
}

/** A warning when the properties grew past the size limit. */
function sizeViolation(personId: string, e: IdentityEvent, properties: Record<string, unknown>): Warning | null {
  const size = propertiesSizeOf(properties);
  return size > MAX_PERSON_PROPERTIES_BYTES ? personPropertiesSizeViolation(personId, e.distinct_id, e.uuid, size) : null;
}

/**
 * Applies each event's `$set_once`/`$set`/`$unset` in order; one version step
 * per changing event. An update that would pass the size limit is refused and
 * its event gets a warning.
 */
function withUpdates(person: PersonRow, items: PersonEvent[]): { person: PersonRow; items: PersonEvent[] } {
  let { properties, version } = person;
  const checked = items.map((item) => {
    const next = applyPropertyUpdates(properties, propertyUpdatesOf(item.event));
    if (!next.changed) return item;
    const violation = sizeViolation(person.id, item.event, next.properties);
    if (violation) return { ...item, warnings: [...item.warnings, violation] };
    properties = next.properties;
    version += 1;
    return item;
  });
  return { person: { ...person, properties, version }, items: checked };
}

/** The event's updates applied and the person marked identified (a version step if that changed). */
function identifiedWith(current: PersonRow, item: PersonEvent): { person: PersonRow; item: PersonEvent } {
  const { person, items } = withUpdates(current, [item]);
  const version = person.version + (current.isIdentified ? 0 : 1);
  return { person: { ...person, isIdentified: true, version }, item: items[0]! };
}

function newPerson(projectId: number, id: string, first: PersonEvent, isIdentified: boolean): { person: PersonRow; first: PersonEvent } {
  const e = first.event;
  let properties = newPersonProperties(propertyUpdatesOf(e), e.uuid);
  const violation = sizeViolation(id, e, properties);
  if (violation) {
    properties = { $creator_event_uuid: e.uuid };
    first = { ...first, warnings: [...first.warnings, violation] };
  }
  return { person: { id, projectId, properties, isIdentified, createdAt: e.timestamp, version: 0 }, first };
}

const writeIfChanged = (db: Db, before: PersonRow, after: PersonRow) =>
  after.version !== before.version ? [updatePerson(db, after)] : [];

/** Property updates (and event storage) for one person, creating it when asked to. */
export function planUpdateStep(db: Db, current: PersonRow | undefined, step: UpdateStep): Plan | null {
  const { projectId, personId, events: items } = step;
  if (!current) {
    const [firstItem, ...rest] = items;
    if (!step.createFor || !firstItem) return null;
    const created = newPerson(projectId, personId, firstItem, false);
    const { person, items: checked } = withUpdates(created.person, rest);
    return {
      statements: [
        insertPerson(db, person),
        claimDistinctId(db, projectId, step.createFor, personId),
      ],
      ...eventAndWarningRows(projectId, personId, [created.first, ...checked]),
      result: { status: 'ok', personId, owns: [step.createFor], person },
    };
  }
  const { person, items: checked } = withUpdates(current, items);
  return {
    statements: [
      ...guardUnchanged(db, projectId, {
        versions: [[personId, current.version]],
        owners: step.distinctIds.map((d) => [d, personId]),
      }),
      ...writeIfChanged(db, current, person),
    ],
    ...eventAndWarningRows(projectId, personId, checked),
    result: { status: 'ok', personId, owns: step.distinctIds, person },
  };
}

/**
 * One merge event (spec §2), for the person that will hold both ids
 * (`step.personId`, whose row is `current`); `source` is the source id's
 * person row when it has one of its own.
 */
export function planMergeStep(db: Db, current: PersonRow | undefined, source: PersonRow | undefined, step: MergeStep): Plan | null {
  const { projectId, personId, request, event: item } = step;
  const e = item.event;
  const at = new Date().toISOString();
  const mergeCase = mergeCaseOf(
    step.sourcePersonId ? { id: step.sourcePersonId } : null,
    step.targetPersonId ? { id: step.targetPersonId } : null,
  );
  const identifyRecord = (added: string[]) =>
    insertHistory(db, {
      id: crypto.randomUUID(),
      projectId,
      sourcePersonId: personId,
      targetPersonId: personId,
      kind: 'identify',
      eventUuid: e.uuid,
      details: { event: request.kind, distinct_ids_added: added },
      at,
    });

  if (mergeCase === 'create_both') {
    const { person, first } = newPerson(projectId, personId, item, true);
    return {
      statements: [
        insertPerson(db, person),
        claimDistinctId(db, projectId, request.target, personId),
        claimDistinctId(db, projectId, request.source, personId),
        identifyRecord([request.target, request.source]),
      ],
      ...eventAndWarningRows(projectId, personId, [first]),
      result: { status: 'ok', personId, owns: [request.target, request.source], person },
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
    const { person, item: checked } = identifiedWith(current, item);
    return {
      statements: [
        ...guardUnchanged(db, projectId, { versions: [[personId, current.version]], owners: [[owned, personId]] }),
        ...(added ? [claimDistinctId(db, projectId, added, personId)] : []),
        ...writeIfChanged(db, current, person),
        ...(added || !current.isIdentified ? [identifyRecord(added ? [added] : [])] : []),
      ],
      ...eventAndWarningRows(projectId, personId, [checked]),
      result: { status: 'ok', personId, owns: [request.source, request.target], person },
    };
  }

  // Two persons: merge the source's person into the target's, unless refused.
  if (!source) return null;
  const bothUnchanged = guardUnchanged(db, projectId, {
    versions: [
      [personId, current.version],
      [source.id, source.version],
    ],
    owners: [
      [request.target, personId],
      [request.source, source.id],
    ],
  });
  if (!isMergeAllowed(request.kind, source.isIdentified)) {
    const refused = { event: e, warnings: [...item.warnings, refusedMergeWarning(request, e.uuid)] };
    const { person, item: checked } = identifiedWith(current, refused);
    return {
      statements: [...bothUnchanged, ...writeIfChanged(db, current, person)],
      ...eventAndWarningRows(projectId, personId, [checked]),
      result: { status: 'ok', personId, owns: [request.target], person },
    };
  }

  // The merge always happens; properties that would pass the size limit stay the target's own.
  const merged = mergeProperties(source.properties, current.properties);
  const violation = sizeViolation(personId, e, merged);
  const mergedItem = violation ? { ...item, warnings: [...item.warnings, violation] } : item;
  const combined = withUpdates({ ...current, properties: violation ? current.properties : merged }, [mergedItem]);
  const person: PersonRow = {
    ...combined.person,
    isIdentified: true,
    createdAt: source.createdAt < current.createdAt ? source.createdAt : current.createdAt,
    version: Math.max(source.version, current.version) + 1,
  };
  return {
    statements: [
      ...bothUnchanged,
      insertMergeRecord(db, {
        id: crypto.randomUUID(),
        projectId,
        sourcePersonId: source.id,
        targetPersonId: personId,
        kind: 'merge',
        eventUuid: e.uuid,
        details: { event: request.kind, source_distinct_id: request.source, target_distinct_id: request.target },
        at,
      }),
      moveDistinctIds(db, projectId, source.id, personId),
      updatePerson(db, person),
      deletePerson(db, source.id),
    ],
    ...eventAndWarningRows(projectId, personId, combined.items),
    result: { status: 'ok', personId, absorbedPersonId: source.id, owns: [request.source, request.target], person },
  };
}
