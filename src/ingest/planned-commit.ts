import type { Db } from '../db/client';
import { insertStatements, noInserts, planMergeStep, planUpdateStep, planWrites, type Plan } from '../persons/plan';
import type { MergeStep, StepResult, UpdateStep } from '../persons/steps';
import type { IngestState } from '../persons/reads';
import {
  guardUnchanged,
  updatePersons,
  writeAtomically,
  type Expected,
  type PersonRow,
  type Statement,
} from '../persons/writes';
import { segmentsOf, type PlannedEvent } from './components';
import { PersonCalls, type PersonSteps } from './person-calls';

/** Thrown when a step needs a row the batch did not read: those groups go through the person objects. */
class NotPlannable extends Error {}

/**
 * Plans steps against the rows read for the batch, as if each had been
 * written, and collects their statements for one D1 batch.
 *
 * Guards: a step's expectation about a person or distinct id this batch has
 * not written yet is about the state read before the batch, so it is checked
 * once, by a guard at the start of the batch (many expectations per
 * statement). An expectation about something an earlier step of this batch
 * wrote holds by construction (the batch is atomic, and the plan is what it
 * writes), so it needs no guard. Anything else is guarded where the step runs.
 * The batch commits only if nothing it was computed from changed since the read.
 */
class PlannedSteps implements PersonSteps {
  /** The person writes of every step in order; their events and warnings follow them in bulk. */
  readonly combined: Pick<Plan, 'statements' | 'events' | 'warnings'> = { statements: [], events: [], warnings: [] };
  /** Expectations about the state as read, checked at the start of the batch. */
  private readonly initial = { versions: new Map<string, number>(), owners: new Map<string, string>() };
  /** New persons, claims and identification lines of the steps since the last statement that could read them: written together. */
  private pending = noInserts();
  /** Existing persons' new rows, latest per person: written together after the other person writes. */
  private readonly updates = new Map<string, PersonRow>();
  /** Versions this batch's steps wrote so far (null: the person was absorbed), and who owns the distinct ids they claimed or moved. */
  private readonly written = { versions: new Map<string, number | null>(), owners: new Map<string, string>() };

  constructor(
    private readonly db: Db,
    private readonly projectId: number,
    /** The state as read for the batch. */
    private readonly read: IngestState,
    /** The rows read for the batch, kept as each planned step would leave them. */
    private readonly persons: Map<string, PersonRow>,
  ) {}

  async update(step: UpdateStep): Promise<StepResult> {
    return this.take(planUpdateStep(this.db, this.persons.get(step.personId), step));
  }

  async merge(step: MergeStep): Promise<StepResult> {
    const current = step.targetPersonId || step.sourcePersonId ? this.persons.get(step.personId) : undefined;
    const source =
      step.sourcePersonId && step.sourcePersonId !== step.personId ? this.persons.get(step.sourcePersonId) : undefined;
    return this.take(planMergeStep(this.db, current, source, step));
  }

  /** All the statements, starting with the guards on the state as read. */
  statements(): Statement[] {
    this.flushUpdates();
    return [
      ...guardUnchanged(this.db, this.projectId, {
        versions: [...this.initial.versions],
        owners: [...this.initial.owners],
      }),
      ...planWrites(this.db, this.combined),
    ];
  }

  private flushInserts(): void {
    this.combined.statements.push(...insertStatements(this.db, this.pending));
    this.pending = noInserts();
  }

  private flushUpdates(): void {
    this.flushInserts();
    this.combined.statements.push(...updatePersons(this.db, [...this.updates.values()]));
    this.updates.clear();
  }

  private take(plan: Plan | null): StepResult {
    if (!plan) throw new NotPlannable();
    const { versions = [], owners = [] } = plan.guard.expects;
    const inline: Required<Expected> = {
      versions: versions.filter(([personId, version]) =>
        this.guardedInPlace(this.written.versions, this.read.versions, this.initial.versions, personId, version),
      ),
      owners: owners.filter(([distinctId, personId]) =>
        this.guardedInPlace(this.written.owners, this.read.owners, this.initial.owners, distinctId, personId),
      ),
    };
    // A guard in place must see every earlier step's person rows (and distinct ids).
    if (inline.versions.length > 0) this.flushUpdates();
    else if (inline.owners.length > 0) this.flushInserts();
    this.combined.statements.push(...guardUnchanged(this.db, this.projectId, inline));
    this.pending.persons.push(...plan.inserts.persons);
    this.pending.claims.push(...plan.inserts.claims);
    this.pending.history.push(...plan.inserts.history);
    if (plan.statements.length > 0) {
      // A merge reads and moves distinct ids: everything before it must be written.
      this.flushInserts();
      this.combined.statements.push(...plan.statements);
    }
    this.combined.events.push(...plan.events);
    this.combined.warnings.push(...plan.warnings);
    this.recordWrites(plan);
    return plan.result;
  }

  /**
   * Whether an expectation (`key` is at `value`) needs a guard where its step
   * runs. Not when an earlier step of the batch wrote `key` to that value, nor
   * when it is about the state as read: then it joins the guards at the start
   * (unless it contradicts one already there).
   */
  private guardedInPlace<V>(
    written: Map<string, V | null>,
    read: Map<string, V>,
    initial: Map<string, V>,
    key: string,
    value: V,
  ): boolean {
    const wrote = written.get(key);
    if (wrote !== undefined) return wrote !== value;
    if (read.get(key) !== value) return true;
    const already = initial.get(key);
    if (already !== undefined) return already !== value;
    initial.set(key, value);
    return false;
  }

  private recordWrites(plan: Plan): void {
    const { personId, absorbedPersonId, owns, version } = plan.result;
    if (absorbedPersonId) {
      this.persons.delete(absorbedPersonId);
      this.updates.delete(absorbedPersonId);
      this.written.versions.set(absorbedPersonId, null);
      // Every distinct id of the absorbed person moves to the survivor.
      for (const [d, owner] of [...this.read.owners, ...this.written.owners]) {
        if (owner === absorbedPersonId) this.written.owners.set(d, personId);
      }
    }
    this.persons.set(personId, plan.person);
    if (plan.update) this.updates.set(plan.update.id, plan.update);
    this.written.versions.set(personId, version);
    for (const d of owns) this.written.owners.set(d, personId);
  }
}

export async function runGroup(calls: PersonCalls, group: PlannedEvent[]): Promise<void> {
  for (const segment of segmentsOf(group)) {
    if (segment.kind === 'updates') await calls.updates(segment.items);
    else await calls.merge({ ...segment.planned, merge: segment.planned.merge! });
  }
}

/**
 * The fast path for uncontended persons: all of these groups' person changes,
 * events and warnings in one guarded atomic D1 batch instead of a batch per
 * person. Returns false (nothing written) when a guard or unique key refused
 * it or a step could not be planned; the caller then runs the groups through
 * the person objects.
 */
export async function commitGroupsAtOnce(
  db: Db,
  projectId: number,
  state: IngestState,
  groups: PlannedEvent[][],
): Promise<boolean> {
  const planned = new PlannedSteps(db, projectId, state, new Map(state.persons));
  const calls = new PersonCalls(planned, db, projectId, {
    owners: new Map(state.owners),
    versions: new Map(state.versions),
  });
  try {
    for (const group of groups) await runGroup(calls, group);
    return await writeAtomically(db, planned.statements());
  } catch (error) {
    // Any failure here (a step that needs a fresh read, or a D1 error that may be
    // one group's fault) sends the groups one by one through the person objects,
    // where it stays with the group that caused it.
    if (!(error instanceof NotPlannable)) console.warn('batched person commit failed; going group by group', error);
    return false;
  }
}
