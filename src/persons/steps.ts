import type { IdentityEvent, MergeRequest, Warning } from '../identity';
import type { PersonRow } from './store';

/** A person-processed event with the warnings it raised before reaching its person. */
export interface PersonEvent {
  event: IdentityEvent;
  warnings: Warning[];
}

/**
 * Apply these events' property updates, in order, to one person and store the
 * events. `createFor`: the consumer saw no person for this distinct id, so the
 * person `personId` (= uuidFromDistinctId) is created for it if still needed.
 */
export interface UpdateStep {
  projectId: number;
  personId: string;
  createFor?: string;
  /** The distinct ids of these events, all expected to belong to `personId`. */
  distinctIds: string[];
  events: PersonEvent[];
  /** The person as the caller last read it: saves a read; writes stay guarded on its version. */
  known?: PersonRow;
}

/** One merge event (spec §2), run in the object of the person that survives. */
export interface MergeStep {
  projectId: number;
  personId: string;
  request: MergeRequest;
  sourcePersonId: string | null;
  targetPersonId: string | null;
  event: PersonEvent;
  knownSource?: PersonRow;
  knownTarget?: PersonRow;
}

export type StepResult =
  | { status: 'ok'; personId: string; absorbedPersonId?: string; owns: string[]; person: PersonRow }
  /** The persons or distinct ids changed under us: re-resolve and send the step again. */
  | { status: 'moved' };
