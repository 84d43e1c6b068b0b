import { DurableObject } from 'cloudflare:workers';
import { dbOf, type Db } from '../db/client';
import type { Env } from '../env';
import { planMergeStep, planUpdateStep, planWrites, type Plan } from './plan';
import type { MergeStep, StepResult, UpdateStep } from './steps';
import { loadPerson, writeAtomically, type PersonRow } from './store';

/**
 * One object per person, named by the person's UUID. It serializes every change
 * to that person (property updates and merges into it) and caches the person
 * between calls. D1 stays the source of truth: every write is guarded on the
 * version read, so a stale cache only costs a "moved" answer and a re-resolve.
 * An object never calls another object.
 */
export class PersonDO extends DurableObject<Env> {
  private readonly db: Db = dbOf(this.env.DB);
  private person: PersonRow | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  applyUpdates(step: UpdateStep): Promise<StepResult> {
    return this.serialized(async () => planUpdateStep(this.db, await this.current(step.personId, step.known), step));
  }

  applyMerge(step: MergeStep): Promise<StepResult> {
    return this.serialized(async () => {
      const known = step.personId === step.targetPersonId ? step.knownTarget : step.knownSource;
      const current = step.targetPersonId || step.sourcePersonId ? await this.current(step.personId, known) : undefined;
      const sourceId = step.sourcePersonId !== step.personId ? step.sourcePersonId : null;
      const source = sourceId ? (step.knownSource ?? (await loadPerson(this.db, sourceId))) : undefined;
      return planMergeStep(this.db, current, source, step);
    });
  }

  /** The freshest of the cached row and the caller's (both are guarded on write), else D1's. */
  private async current(personId: string, known: PersonRow | undefined): Promise<PersonRow | undefined> {
    const cached = this.person?.id === personId ? this.person : undefined;
    const newest = cached && known ? (cached.version >= known.version ? cached : known) : (cached ?? known);
    return newest ?? (await loadPerson(this.db, personId));
  }

  /** D1 calls yield the object's input gate, so calls are chained to run one at a time. */
  private serialized(plan: () => Promise<Plan | null>): Promise<StepResult> {
    const run = this.tail.then(async () => {
      try {
        const planned = await plan();
        if (planned && (await writeAtomically(this.db, planWrites(this.db, planned)))) {
          this.person = planned.result.person;
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
