import type { MergeInput, UpdateInput } from '../identity';

export type { PersonEvent } from '../identity';

/**
 * What a caller asks of a person's object: the ids, the events' changes and the
 * version it last saw. Never the person's row: the object owns its copy (and
 * reloads it from D1 when the caller saw a newer version than it has).
 */
export interface UpdateStep extends UpdateInput {
  expectedVersion?: number;
}

export interface MergeStep extends MergeInput {
  /** The version of `personId` the caller last saw. */
  expectedVersion?: number;
}

export type StepResult =
  | { status: 'ok'; personId: string; absorbedPersonId?: string; owns: string[]; version: number }
  /** The persons or distinct ids changed under us: re-resolve and send the step again. */
  | { status: 'moved' };

/**
 * Where person steps run: the person objects (person-calls.ts, `personObjects`), or a
 * plan of one D1 batch (planned-steps.ts).
 */
export interface PersonSteps {
  update(step: UpdateStep): Promise<StepResult>;
  merge(step: MergeStep): Promise<StepResult>;
}

/**
 * A person's Durable Object as its callers see it (the class is persons/person-do.ts):
 * the type of the `PERSON` binding, so that env.ts needs none of the object's code.
 */
export interface PersonObject extends Rpc.DurableObjectBranded {
  applyUpdates(step: UpdateStep): Promise<StepResult>;
  applyMerge(step: MergeStep): Promise<StepResult>;
}
