import type { Db } from '../db/client';
import { NotPlannable, PersonCalls, PlannedSteps, type IngestState } from '../persons';
import { segmentsOf, type PlannedEvent } from './person-groups';

/** Runs a group's events through `calls`, in order: each run of updates, then each merge. */
export async function runGroup(calls: PersonCalls, group: PlannedEvent[]): Promise<void> {
  for (const segment of segmentsOf(group)) {
    if (segment.kind === 'updates') await calls.updates(segment.items);
    else await calls.merge(segment.planned.item, segment.planned.merge!);
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
  const planned = new PlannedSteps(db, projectId, state);
  const calls = new PersonCalls(planned, db, projectId, {
    owners: new Map(state.owners),
    versions: new Map(state.versions),
  });
  try {
    for (const group of groups) await runGroup(calls, group);
    return await planned.commit();
  } catch (error) {
    // Any failure here (a step that needs a fresh read, or a D1 error that may be
    // one group's fault) sends the groups one by one through the person objects,
    // where it stays with the group that caused it.
    if (!(error instanceof NotPlannable)) console.warn('batched person commit failed; going group by group', error);
    return false;
  }
}
