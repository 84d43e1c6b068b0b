import { DurableObject } from 'cloudflare:workers';
import { dbOf, type Db } from '../db/client';
import type { Env } from '../env';
import { planMergeStep, planUpdateStep, planWrites, type Plan } from './plan';
import { loadPerson } from './reads';
import type { MergeStep, StepResult, UpdateStep } from './steps';
import { writeAtomically, type PersonRow } from './writes';

/**
 * One object per person, named by the person's UUID. It serializes every change
 * to that person (property updates and merges into it) and is the one owner of
 * the person's cached row: callers send ids, expected versions and the events'
 * changes, never rows. D1 stays the source of truth: every write is guarded on
 * the version read, so a stale copy only costs a "moved" answer (and a reload).
 * An object never calls another object.
 */
export class PersonDO extends DurableObject<Env> {
  private readonly db: Db = dbOf(this.env.DB);
  private person: PersonRow | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  applyUpdates(step: UpdateStep): Promise<StepResult> {
    return this.serialized(async () => planUpdateStep(this.db, await this.current(step.personId, step.expectedVersion), step));
  }

  applyMerge(step: MergeStep): Promise<StepResult> {
    return this.serialized(async () => {
      const current = step.targetPersonId || step.sourcePersonId ? await this.current(step.personId, step.expectedVersion) : undefined;
      // The source person belongs to another object: read it where it is written.
      const sourceId = step.sourcePersonId !== step.personId ? step.sourcePersonId : null;
      const source = sourceId ? await loadPerson(this.db, sourceId) : undefined;
      return planMergeStep(this.db, current, source, step);
    });
  }

  /** The cached row, unless the caller has seen a newer version (then D1's). */
  private async current(personId: string, expectedVersion: number | undefined): Promise<PersonRow | undefined> {
    const cached = this.person?.id === personId ? this.person : undefined;
    if (cached && (expectedVersion === undefined || cached.version >= expectedVersion)) return cached;
    return (this.person = await loadPerson(this.db, personId));
  }

  /** D1 calls yield the object's input gate, so calls are chained to run one at a time. */
  private serialized(plan: () => Promise<Plan | null>): Promise<StepResult> {
    const run = this.tail.then(async () => {
      try {
        const planned = await plan();
        if (planned && (await writeAtomically(this.db, planWrites(this.db, planned)))) {
          this.person = planned.person;
          return planned.result;
        }
      } catch (error) {
        this.person = undefined;
        throw error;
      }
      this.person = undefined;
      return { status: 'moved' } as const;
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
