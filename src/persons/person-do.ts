import { DurableObject } from 'cloudflare:workers';
import type { Db } from '../db/client';
import { projectDb } from '../db/shards';
import { writeAtomically } from '../db/statements';
import type { Env } from '../env';
import { planMergeStep, planUpdateStep, planWrites, type Plan } from './plan';
import { loadPerson, loadPersons } from './ingest-state';
import type { MergeStep, PersonObject, StepResult, UpdateStep } from './steps';
import type { PersonRow } from './writes';

/**
 * One object per person, named by the person's UUID. It serializes every change
 * to that person (property updates and merges into it) and is the one owner of
 * the person's cached row: callers send ids, expected versions and the events'
 * changes, never rows. D1 stays the source of truth: every write is guarded on
 * the version read, so a stale copy only costs a "moved" answer (and a reload).
 * An object never calls another object.
 */
export class PersonDO extends DurableObject<Env> implements PersonObject {
  /** The shard of the person's project (a person never changes project, nor a project its shard). */
  private db: Db | undefined;
  private person: PersonRow | undefined;
  private tail: Promise<unknown> = Promise.resolve();

  applyUpdates(step: UpdateStep): Promise<StepResult> {
    return this.serialized(step.projectId, async (db) =>
      planUpdateStep(db, await this.current(db, step.personId, step.expectedVersion), step),
    );
  }

  applyMerge(step: MergeStep): Promise<StepResult> {
    return this.serialized(step.projectId, async (db) => {
      const ownId = step.targetPersonId || step.sourcePersonId ? step.personId : null;
      // The source person belongs to another object: read it where it is written, in one read with ours if not cached.
      const sourceId = step.sourcePersonId !== step.personId ? step.sourcePersonId : null;
      let current = ownId ? this.cached(ownId, step.expectedVersion) : undefined;
      const toRead = [ownId && !current ? ownId : null, sourceId].filter((id): id is string => id !== null);
      const read = await loadPersons(db, toRead);
      if (ownId && !current) current = this.person = read.get(ownId);
      return planMergeStep(db, current, sourceId ? read.get(sourceId) : undefined, step);
    });
  }

  /** The cached row, unless the caller has seen a newer version. */
  private cached(personId: string, expectedVersion: number | undefined): PersonRow | undefined {
    const cached = this.person?.id === personId ? this.person : undefined;
    return cached && (expectedVersion === undefined || cached.version >= expectedVersion) ? cached : undefined;
  }

  /** The cached row, else D1's. */
  private async current(db: Db, personId: string, expectedVersion: number | undefined): Promise<PersonRow | undefined> {
    return this.cached(personId, expectedVersion) ?? (this.person = await loadPerson(db, personId));
  }

  /** The primary of the project's shard: writes, and reads that must see the latest write. */
  private async shardOf(projectId: number): Promise<Db> {
    return (this.db ??= await projectDb(this.env, projectId));
  }

  /** D1 calls yield the object's input gate, so calls are chained to run one at a time. */
  private serialized(projectId: number, plan: (db: Db) => Promise<Plan | null>): Promise<StepResult> {
    const run = this.tail.then(async () => {
      try {
        const db = await this.shardOf(projectId);
        const planned = await plan(db);
        if (planned && (await writeAtomically(db, planWrites(db, planned)))) {
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
