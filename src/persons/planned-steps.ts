import type { Db } from '../db/client';
import { writeAtomically, type Statement } from '../db/statements';
import { insertEvents, type EventRow } from '../db/event-writes';
import { insertWarnings, type WarningRow } from '../db/warning-writes';
import type { IngestState } from './ingest-state';
import { planMergeStep, planUpdateStep, WriteOrder, type Plan } from './plan';
import type { MergeStep, PersonSteps, StepResult, UpdateStep } from './steps';
import { guardUnchanged, type Expected, type PersonRow } from './writes';

/** Thrown when a step needs a row the batch did not read: those groups go through the person objects. */
export class NotPlannable extends Error {}

/**
 * The other executor of person steps, beside the person objects (person-do.ts):
 * plans steps against the rows read for a batch, as if each had been written,
 * and collects their statements for one D1 batch (`commit`).
 *
 * Guards: a step's expectation about a person or distinct id this batch has
 * not written yet is about the state read before the batch, so it is checked
 * once, by a guard at the start of the batch (many expectations per
 * statement). An expectation about something an earlier step of this batch
 * wrote holds by construction (the batch is atomic, and the plan is what it
 * writes), so it needs no guard. Anything else is guarded where the step runs.
 * The batch commits only if nothing it was computed from changed since the read.
 */
export class PlannedSteps implements PersonSteps {
  /** The person writes of every step in order (plan.ts, `WriteOrder`). */
  private readonly order: WriteOrder;
  /** Their events and warnings, which follow them in bulk. */
  private readonly events: EventRow[] = [];
  private readonly warnings: WarningRow[] = [];
  /** Expectations about the state as read, checked at the start of the batch. */
  private readonly initial = { versions: new Map<string, number>(), owners: new Map<string, string>() };
  /**
   * Versions this batch's steps wrote so far (null: the person was absorbed), and who owns the
   * distinct ids they claimed or moved.
   */
  private readonly written = { versions: new Map<string, number | null>(), owners: new Map<string, string>() };
  /** The rows read for the batch, kept as each planned step would leave them. */
  private readonly persons: Map<string, PersonRow>;

  constructor(
    private readonly db: Db,
    private readonly projectId: number,
    /** The state as read for the batch. */
    private readonly read: IngestState,
  ) {
    this.order = new WriteOrder(db);
    this.persons = new Map(read.persons);
  }

  async update(step: UpdateStep): Promise<StepResult> {
    return this.take(planUpdateStep(this.db, this.persons.get(step.personId), step));
  }

  async merge(step: MergeStep): Promise<StepResult> {
    const current = step.targetPersonId || step.sourcePersonId ? this.persons.get(step.personId) : undefined;
    const source =
      step.sourcePersonId && step.sourcePersonId !== step.personId ? this.persons.get(step.sourcePersonId) : undefined;
    return this.take(planMergeStep(this.db, current, source, step));
  }

  /** Writes every planned step in one atomic batch. False when a guard or unique key refused it. */
  commit(): Promise<boolean> {
    return writeAtomically(this.db, this.statements());
  }

  /** All the statements, starting with the guards on the state as read. */
  private statements(): Statement[] {
    return [
      ...guardUnchanged(this.db, this.projectId, {
        versions: [...this.initial.versions],
        owners: [...this.initial.owners],
      }),
      ...this.order.statements(),
      ...insertEvents(this.db, this.events),
      ...insertWarnings(this.db, this.warnings),
    ];
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
    this.order.add(guardUnchanged(this.db, this.projectId, inline), { readsUpdates: inline.versions.length > 0 });
    this.order.insert(plan.inserts);
    this.order.add(plan.statements);
    this.events.push(...plan.events);
    this.warnings.push(...plan.warnings);
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
      this.order.update(absorbedPersonId, null);
      this.written.versions.set(absorbedPersonId, null);
      // Every distinct id of the absorbed person moves to the survivor.
      for (const [d, owner] of [...this.read.owners, ...this.written.owners]) {
        if (owner === absorbedPersonId) this.written.owners.set(d, personId);
      }
    }
    this.persons.set(personId, plan.person);
    if (plan.update) this.order.update(plan.update.id, plan.update);
    this.written.versions.set(personId, version);
    for (const d of owns) this.written.owners.set(d, personId);
  }
}
