import {
  MAX_PERSON_PROPERTIES_BYTES,
  applyPropertyUpdates,
  isMergeAllowed,
  personPropertiesSizeViolation,
  propertiesSizeOf,
  mergeCaseOf,
  mergeProperties,
  newPersonProperties,
  propertyUpdatesOf,
  refusedMergeWarning,
  storedEventProperties,
  type IdentityEvent,
  type Warning,
} from '../identity';
import type { Db } from '../db/client';
import {
  claimDistinctId,
  deletePerson,
  distinctIdsOf,
  guardOwner,
  guardPersonVersion,
  insertEvents,
  insertHistory,
  insertPerson,
  insertWarnings,
  loadPerson,
  moveDistinctIds,
  updatePerson,
  writeAtomically,
  type EventRow,
  type PersonRow,
  type Statement,
  type WarningRow,
} from './store';
import type { MergeStep, PersonEvent, StepResult, UpdateStep } from './steps';

export type Applied = StepResult;

const moved: Applied = { status: 'moved' };

/** The freshest of what the object cached and what the caller read (both are guarded on write). */
function newest(...rows: (PersonRow | undefined)[]): PersonRow | undefined {
  return rows.reduce<PersonRow | undefined>((best, row) => (row && (!best || row.version > best.version) ? row : best), undefined);
}

export function eventRowOf(projectId: number, e: IdentityEvent, personId: string): EventRow {
  return {
    projectId,
    uuid: e.uuid,
    event: e.event,
    distinctId: e.distinct_id,
    personIdAtIngest: personId,
    properties: storedEventProperties(e),
    timestamp: e.timestamp,
  };
}

export function warningRowsOf(projectId: number, eventUuid: string | null, warnings: Warning[]): WarningRow[] {
  const timestamp = new Date().toISOString();
  return warnings.map((w) => ({ projectId, type: w.type, details: w.details, eventUuid, timestamp }));
}

function eventAndWarningWrites(db: Db, projectId: number, personId: string, items: PersonEvent[]): Statement[] {
  return [
    ...insertEvents(db, items.map((i) => eventRowOf(projectId, i.event, personId))),
    ...insertWarnings(
      db,
      items.flatMap((i) => warningRowsOf(projectId, i.event.uuid, i.warnings)),
    ),
  ];
}

/** The properties unless they grow past the size limit, in which case a warning for the event instead. */
function withinSizeLimit(personId: string, e: IdentityEvent, properties: Record<string, unknown>): Warning | null {
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
    const violation = withinSizeLimit(person.id, item.event, next.properties);
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
  const violation = withinSizeLimit(id, e, properties);
  if (violation) {
    properties = { $creator_event_uuid: e.uuid };
    first = { ...first, warnings: [...first.warnings, violation] };
  }
  return { person: { id, projectId, properties, isIdentified, createdAt: e.timestamp, version: 0 }, first };
}

/** Property updates (and event storage) for one person, creating it when asked to. */
export async function applyUpdateStep(db: Db, cached: PersonRow | undefined, step: UpdateStep): Promise<Applied> {
  const { projectId, personId, events: items } = step;
  const current = newest(cached, step.known) ?? (await loadPerson(db, personId));
  if (!current) {
    const [firstItem, ...rest] = items;
    if (!step.createFor || !firstItem) return moved;
    const created = newPerson(projectId, personId, firstItem, false);
    const { person, items: checked } = withUpdates(created.person, rest);
    const ok = await writeAtomically(db, [
      insertPerson(db, person),
      claimDistinctId(db, projectId, step.createFor, personId),
      ...eventAndWarningWrites(db, projectId, personId, [created.first, ...checked]),
    ]);
    return ok ? { status: 'ok', personId, owns: [step.createFor], person } : moved;
  }
  const { person, items: checked } = withUpdates(current, items);
  const ok = await writeAtomically(db, [
    guardPersonVersion(db, personId, current.version),
    ...step.distinctIds.map((d) => guardOwner(db, projectId, d, personId)),
    ...(person.version !== current.version ? [updatePerson(db, person)] : []),
    ...eventAndWarningWrites(db, projectId, personId, checked),
  ]);
  return ok ? { status: 'ok', personId, owns: step.distinctIds, person } : moved;
}

const historyId = () => crypto.randomUUID();

/** One merge event (spec §2), in the object of the person that will hold both ids. */
export async function applyMergeStep(db: Db, cached: PersonRow | undefined, step: MergeStep): Promise<Applied> {
  const { projectId, personId, request, event: item } = step;
  const e = item.event;
  const at = new Date().toISOString();
  const mergeCase = mergeCaseOf(
    step.sourcePersonId ? { id: step.sourcePersonId } : null,
    step.targetPersonId ? { id: step.targetPersonId } : null,
  );
  const identifyRecord = (added: string[]) =>
    insertHistory(db, {
      id: historyId(),
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
    const ok = await writeAtomically(db, [
      insertPerson(db, person),
      claimDistinctId(db, projectId, request.target, personId),
      claimDistinctId(db, projectId, request.source, personId),
      identifyRecord([request.target, request.source]),
      ...eventAndWarningWrites(db, projectId, personId, [first]),
    ]);
    return ok ? { status: 'ok', personId, owns: [request.target, request.source], person } : moved;
  }

  const current = newest(cached, personId === step.targetPersonId ? step.knownTarget : step.knownSource) ?? (await loadPerson(db, personId));
  if (!current) return moved;

  if (mergeCase !== 'merge_persons') {
    // One person already: attach the missing id (if any) and mark it identified.
    const [owned, added] =
      mergeCase === 'add_target_to_source'
        ? [request.source, request.target]
        : mergeCase === 'add_source_to_target'
          ? [request.target, request.source]
          : [request.target, null];
    const { person, item: checked } = identifiedWith(current, item);
    const ok = await writeAtomically(db, [
      guardPersonVersion(db, personId, current.version),
      guardOwner(db, projectId, owned, personId),
      ...(added ? [claimDistinctId(db, projectId, added, personId)] : []),
      ...(person.version !== current.version ? [updatePerson(db, person)] : []),
      ...(added || !current.isIdentified ? [identifyRecord(added ? [added] : [])] : []),
      ...eventAndWarningWrites(db, projectId, personId, [checked]),
    ]);
    return ok ? { status: 'ok', personId, owns: [request.source, request.target], person } : moved;
  }

  // Two persons: merge the source's person into the target's, unless refused.
  const sourceId = step.sourcePersonId!;
  const source = step.knownSource ?? (await loadPerson(db, sourceId));
  if (!source) return moved;
  if (!isMergeAllowed(request.kind, source.isIdentified)) {
    const refused = { event: e, warnings: [...item.warnings, refusedMergeWarning(request, e.uuid)] };
    const { person, item: checked } = identifiedWith(current, refused);
    const ok = await writeAtomically(db, [
      guardPersonVersion(db, personId, current.version),
      guardPersonVersion(db, sourceId, source.version),
      guardOwner(db, projectId, request.target, personId),
      guardOwner(db, projectId, request.source, sourceId),
      ...(person.version !== current.version ? [updatePerson(db, person)] : []),
      ...eventAndWarningWrites(db, projectId, personId, [checked]),
    ]);
    return ok ? { status: 'ok', personId, owns: [request.target], person } : moved;
  }

  const movedIds = await distinctIdsOf(db, projectId, sourceId);
  const combined = withUpdates({ ...current, properties: mergeProperties(source.properties, current.properties) }, [item]);
  const [checked] = combined.items;
  const person: PersonRow = {
    ...combined.person,
    isIdentified: true,
    createdAt: source.createdAt < current.createdAt ? source.createdAt : current.createdAt,
    version: Math.max(source.version, current.version) + 1,
  };
  const ok = await writeAtomically(db, [
    guardPersonVersion(db, personId, current.version),
    guardPersonVersion(db, sourceId, source.version),
    guardOwner(db, projectId, request.target, personId),
    guardOwner(db, projectId, request.source, sourceId),
    moveDistinctIds(db, projectId, sourceId, personId),
    updatePerson(db, person),
    deletePerson(db, sourceId),
    insertHistory(db, {
      id: historyId(),
      projectId,
      sourcePersonId: sourceId,
      targetPersonId: personId,
      kind: 'merge',
      eventUuid: e.uuid,
      details: {
        event: request.kind,
        source_distinct_id: request.source,
        target_distinct_id: request.target,
        moved_distinct_ids: movedIds,
      },
      at,
    }),
    ...eventAndWarningWrites(db, projectId, personId, [checked!]),
  ]);
  if (!ok) return moved;
  return { status: 'ok', personId, absorbedPersonId: sourceId, owns: [request.source, request.target], person };
}
