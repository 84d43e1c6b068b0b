import type { Db } from '../db/client';
import { planMergeStep, planUpdateStep, planWrites, type Plan } from '../persons/plan';
import type { MergeStep, StepResult, UpdateStep } from '../persons/steps';
import type { IngestState } from '../persons/reads';
import { writeAtomically, type PersonRow } from '../persons/writes';
import { segmentsOf, type PlannedEvent } from './components';
import { PersonCalls, type PersonSteps } from './person-calls';

/** Thrown when a step needs a row the batch did not read: those groups go through the person objects. */
class NotPlannable extends Error {}

/**
 * Plans steps against the rows read for the batch, as if each had been
 * written, and collects their statements for one D1 batch. Every statement
 * group keeps its guards, so the batch commits only if no person or distinct
 * id changed since it was read.
 */
class PlannedSteps implements PersonSteps {
  /** The person writes of every step in order; their events and warnings follow them in bulk. */
  readonly combined: Pick<Plan, 'statements' | 'events' | 'warnings'> = { statements: [], events: [], warnings: [] };

  constructor(
    private readonly db: Db,
    /** The rows read for the batch, kept as each planned step would leave them. */
    private readonly persons: Map<string, PersonRow>,
  ) {}

  async update(step: UpdateStep): Promise<StepResult> {
    return this.take(planUpdateStep(this.db, this.persons.get(step.personId), step));
  }

  async merge(step: MergeStep): Promise<StepResult> {
    const current = step.targetPersonId || step.sourcePersonId ? this.persons.get(step.personId) : undefined;
    const source = step.sourcePersonId && step.sourcePersonId !== step.personId ? this.persons.get(step.sourcePersonId) : undefined;
    return this.take(planMergeStep(this.db, current, source, step));
  }

  private take(plan: Plan | null): StepResult {
    if (!plan) throw new NotPlannable();
    if (plan.result.absorbedPersonId) this.persons.delete(plan.result.absorbedPersonId);
    this.persons.set(plan.person.id, plan.person);
    this.combined.statements.push(...plan.statements);
    this.combined.events.push(...plan.events);
    this.combined.warnings.push(...plan.warnings);
    return plan.result;
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
export async function commitGroupsAtOnce(db: Db, projectId: number, state: IngestState, groups: PlannedEvent[][]): Promise<boolean> {
  const planned = new PlannedSteps(db, new Map(state.persons));
  const calls = new PersonCalls(planned, db, projectId, { owners: new Map(state.owners), versions: new Map(state.versions) });
  try {
    for (const group of groups) await runGroup(calls, group);
    return await writeAtomically(db, planWrites(db, planned.combined));
  } catch (error) {
    // Any failure here (a step that needs a fresh read, or a D1 error that may be
    // one group's fault) sends the groups one by one through the person objects,
    // where it stays with the group that caused it.
    if (!(error instanceof NotPlannable)) console.warn('batched person commit failed; going group by group', error);
    return false;
  }
}
