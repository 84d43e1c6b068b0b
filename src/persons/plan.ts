import {
  mergeTransition,
  storedEventProperties,
  updateTransition,
  uuidFromDistinctId,
  type IdentityEvent,
  type PersonEvent,
  type Transition,
  type Warning,
} from '../identity';
import type { Db } from '../db/client';
import { groupColumnValues } from '../groups/rules';
import type { MergeStep, StepResult, UpdateStep } from './steps';
import {
  claimDistinctIds,
  deletePersonRow,
  guardUnchanged,
  insertEvents,
  insertHistory,
  insertMergeRecord,
  insertPersons,
  insertWarnings,
  moveDistinctIds,
  updatePerson,
  type Claim,
  type EventRow,
  type HistoryRow,
  type PersonRow,
  type Expected,
  type Statement,
  type WarningRow,
} from './writes';

/**
 * Rows a transition adds that read nothing and that nothing in the same batch
 * reads before they exist (new persons, then the distinct ids they claim, then
 * identification lines): plans combined into one batch write them together, a
 * statement per kind, before the next statement that could read them.
 */
export interface PersonInserts {
  persons: PersonRow[];
  claims: Claim[];
  history: HistoryRow[];
}

export const noInserts = (): PersonInserts => ({ persons: [], claims: [], history: [] });

/** The statements writing `inserts`: persons first, as their distinct ids and history point at them. */
export const insertStatements = (db: Db, inserts: PersonInserts): Statement[] => [
  ...insertPersons(db, inserts.persons),
  ...claimDistinctIds(db, inserts.claims),
  ...insertHistory(db, inserts.history),
];

/**
 * A transition (src/identity/transitions.ts) as one guarded atomic batch, and
 * what it answers once written. Planning reads nothing.
 */
export interface Plan {
  /** What the writes were computed from: checked by guards at the start of the batch. */
  guard: { projectId: number; expects: Expected };
  /** The person writes, but for the update of an existing person's row: its inserts, then */
  inserts: PersonInserts;
  /** the statements that must follow them in order (a merge: its record, which reads the source's distinct ids, the move, the delete). */
  statements: Statement[];
  /** The person's new row, when an existing person changed (written after `statements`). */
  update: PersonRow | null;
  /** Stored in the same batch, after the statements (multi-row inserts when plans are combined). */
  events: EventRow[];
  warnings: WarningRow[];
  /** The person as written. */
  person: PersonRow;
  result: Extract<StepResult, { status: 'ok' }>;
}

/** All of a plan's writes, in order, for one atomic batch: its guards (if any) first. */
export const planWrites = (
  db: Db,
  plan: Pick<Plan, 'statements' | 'events' | 'warnings'> & Partial<Pick<Plan, 'guard' | 'update' | 'inserts'>>,
): Statement[] => [
  ...(plan.guard ? guardUnchanged(db, plan.guard.projectId, plan.guard.expects) : []),
  ...(plan.inserts ? insertStatements(db, plan.inserts) : []),
  ...plan.statements,
  ...(plan.update ? [updatePerson(db, plan.update)] : []),
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

/**
 * The person writes of a transition (its guards come from `Plan.guard`, and the
 * update of an existing person's row from `Plan.update`): rows it only adds, and
 * the statements that must run after them in order.
 */
export function transitionWrites(db: Db, projectId: number, t: Transition): Pick<Plan, 'inserts' | 'statements'> {
  const { before, after, absorbed } = t;
  const at = new Date().toISOString();
  const history = t.history.map((h) => ({ id: crypto.randomUUID(), projectId, at, ...h }));
  return {
    inserts: {
      persons: before ? [] : [after],
      claims: t.claims.map((distinctId) => ({ projectId, distinctId, personId: after.id })),
      history: history.filter((h) => h.kind !== 'merge'),
    },
    statements: [
      // A merge record lists the source's distinct ids as they are before the move.
      ...history.filter((h) => h.kind === 'merge').map((row) => insertMergeRecord(db, row)),
      ...(absorbed ? [moveDistinctIds(db, projectId, absorbed.id, after.id)] : []),
      ...(absorbed ? [deletePersonRow(db, absorbed.id)] : []),
    ],
  };
}

function planOf(db: Db, projectId: number, t: Transition | null): Plan | null {
  if (!t) return null;
  const personId = t.after.id;
  return {
    guard: { projectId, expects: t.expects },
    ...transitionWrites(db, projectId, t),
    update: t.before && t.before.version !== t.after.version ? t.after : null,
    events: t.events.map((i: PersonEvent) => eventRowOf(projectId, i.event, personId)),
    warnings: t.events.flatMap((i) => warningRowsOf(projectId, i.event.uuid, i.warnings)),
    person: t.after,
    result: {
      status: 'ok',
      personId,
      ...(t.absorbed ? { absorbedPersonId: t.absorbed.id } : {}),
      owns: t.owns,
      version: t.after.version,
    },
  };
}

/** Property updates (and event storage) for one person, creating it when asked to. Null: its person is gone. */
export const planUpdateStep = (db: Db, current: PersonRow | undefined, step: UpdateStep): Plan | null =>
  planOf(db, step.projectId, updateTransition(current, step));

/** One merge event (spec §2); `current` is `step.personId`'s row, `source` the source id's person when it has one of its own. */
export const planMergeStep = (
  db: Db,
  current: PersonRow | undefined,
  source: PersonRow | undefined,
  step: MergeStep,
): Plan | null => planOf(db, step.projectId, mergeTransition(current, source, step));
