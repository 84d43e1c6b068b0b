import { DurableObject } from 'cloudflare:workers';
import { dbOf, type Db } from '../db/client';
import type { Env } from '../env';
import { applyMergeStep, applyUpdateStep } from './apply';
import type { MergeStep, StepResult, UpdateStep } from './steps';
import type { PersonRow } from './store';

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
    return this.serialized(() => applyUpdateStep(this.db, this.cachedFor(step.personId), step));
  }

  applyMerge(step: MergeStep): Promise<StepResult> {
    return this.serialized(() => applyMergeStep(this.db, this.cachedFor(step.personId), step));
  }

  private cachedFor(personId: string): PersonRow | undefined {
    return this.person?.id === personId ? this.person : undefined;
  }

  /** D1 calls yield the object's input gate, so calls are chained to run one at a time. */
  private serialized(work: () => Promise<StepResult>): Promise<StepResult> {
    const run = this.tail.then(async () => {
      try {
        const result = await work();
        this.person = result.status === 'ok' ? result.person : undefined;
        return result;
      } catch (error) {
        this.person = undefined;
        throw error;
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }
}
