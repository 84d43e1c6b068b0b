import type { Db } from '../db/client';
import type { Statement } from '../db/statements';
import { insertEvents, type EventRow } from '../db/event-writes';
import { eventRowOf } from './event-rows';
import { mergeTransition, updateTransition, type PersonEvent, type Transition } from '../identity';
import { insertWarnings, warningRowsOf, type WarningRow } from '../db/warning-writes';
import type { MergeStep, StepResult, UpdateStep } from './steps';
import {
  claimDistinctIds,
  deletePersonRow,
  guardUnchanged,
  insertHistory,
  insertMergeRecord,
  insertPersons,
  moveDistinctIds,
  updatePersons,
  type Claim,
  type Expected,
  type HistoryRow,
  type PersonRow,
} from './writes';

/**
 * Rows a transition adds that read nothing and that nothing in the same batch
 * reads before they exist: new persons, the distinct ids they claim, identification lines.
 */
interface PersonInserts {
  persons: PersonRow[];
  claims: Claim[];
  history: HistoryRow[];
}

const noInserts = (): PersonInserts => ({ persons: [], claims: [], history: [] });

/**
 * The order of a batch's person writes, for one plan (`planWrites`) and for many
 * combined (persons/planned-steps.ts). THE rule: inserts are held and written
 * together (a statement per kind: persons first, as their distinct ids and
 * history point at them) before the next statement that could read them; the
 * new rows of existing persons (latest per person) go after the other person
 * writes, unless a statement must see them first.
 */
export class WriteOrder {
  private readonly written: Statement[] = [];
  private pending = noInserts();
  private readonly updates = new Map<string, PersonRow>();

  constructor(private readonly db: Db) {}

  insert(inserts: PersonInserts): void {
    this.pending.persons.push(...inserts.persons);
    this.pending.claims.push(...inserts.claims);
    this.pending.history.push(...inserts.history);
  }

  /** An existing person's new row (replacing one of this batch); null forgets it (the person was absorbed). */
  update(personId: string, row: PersonRow | null): void {
    if (row) this.updates.set(personId, row);
    else this.updates.delete(personId);
  }

  /** Statements that read what the batch inserted so far (and, with `readsUpdates`, the persons' new rows). */
  add(statements: Statement[], { readsUpdates = false } = {}): void {
    if (statements.length === 0) return;
    if (readsUpdates) this.flushUpdates();
    else this.flushInserts();
    this.written.push(...statements);
  }

  /** Every person write, in order. */
  statements(): Statement[] {
    this.flushUpdates();
    return this.written;
  }

  private flushInserts(): void {
    const { persons, claims, history } = this.pending;
    this.written.push(
      ...insertPersons(this.db, persons),
      ...claimDistinctIds(this.db, claims),
      ...insertHistory(this.db, history),
    );
    this.pending = noInserts();
  }

  private flushUpdates(): void {
    this.flushInserts();
    this.written.push(...updatePersons(this.db, [...this.updates.values()]));
    this.updates.clear();
  }
}

/**
 * A transition (src/identity/transitions.ts) as one guarded atomic batch, and
 * what it answers once written. Planning reads nothing.
 */
export interface Plan {
  /** What the writes were computed from: checked by guards at the start of the batch. */
  guard: { projectId: number; expects: Expected };
  /** The person writes, but for the update of an existing person's row: its inserts, then */
  inserts: PersonInserts;
  /**
   * the statements that must follow them in order (a merge: its record, which reads the source's
   * distinct ids, the move, the delete).
   */
  statements: Statement[];
  /** The person's new row, when an existing person changed (written after `statements`). */
  update: PersonRow | null;
  /** Stored in the same batch, after the person writes. */
  events: EventRow[];
  warnings: WarningRow[];
  /** The person as written. */
  person: PersonRow;
  result: Extract<StepResult, { status: 'ok' }>;
}

/** All of a plan's writes, in order, for one atomic batch: its guards first. */
export function planWrites(db: Db, plan: Plan): Statement[] {
  const order = new WriteOrder(db);
  order.insert(plan.inserts);
  order.add(plan.statements);
  if (plan.update) order.update(plan.update.id, plan.update);
  return [
    ...guardUnchanged(db, plan.guard.projectId, plan.guard.expects),
    ...order.statements(),
    ...insertEvents(db, plan.events),
    ...insertWarnings(db, plan.warnings),
  ];
}

/**
 * The person writes of a transition (its guards come from `Plan.guard`, and the
 * update of an existing person's row from `Plan.update`): rows it only adds, and
 * the statements that must run after them in order.
 */
function transitionWrites(db: Db, projectId: number, t: Transition): Pick<Plan, 'inserts' | 'statements'> {
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

/**
 * One merge event (spec §2); `current` is `step.personId`'s row, `source` the source id's person
 * when it has one of its own.
 */
export const planMergeStep = (
  db: Db,
  current: PersonRow | undefined,
  source: PersonRow | undefined,
  step: MergeStep,
): Plan | null => planOf(db, step.projectId, mergeTransition(current, source, step));
