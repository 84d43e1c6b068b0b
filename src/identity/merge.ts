import { isIllegalDistinctId } from './illegal-ids';
import type { IdentityEvent, MergeKind, MergeRequest, Warning } from './types';

/** Spec §1 table: which events merge, from which id into which. */
export function mergeRequestOf(e: IdentityEvent): MergeRequest | null {
  const target = e.distinct_id;
  if (e.event === '$identify') {
    if (!Object.hasOwn(e.properties, '$anon_distinct_id')) return null;
    return { kind: '$identify', source: String(e.properties.$anon_distinct_id), target };
  }
  if (e.event === '$create_alias' || e.event === '$merge_dangerously') {
    const alias = e.properties.alias;
    if (!alias) return null;
    return { kind: e.event, source: String(alias), target };
  }
  return null;
}

type MergePrecheck = { action: 'skip' } | { action: 'warn'; warning: Warning } | { action: 'merge' };

/** Spec §1 checks, in order, before anything is merged. */
export function precheckMerge(req: MergeRequest, eventUuid: string): MergePrecheck {
  if (req.source === req.target) return { action: 'skip' };
  if (isIllegalDistinctId(req.target)) {
    return { action: 'warn', warning: illegalIdWarning(req.target, req.source, eventUuid) };
  }
  if (isIllegalDistinctId(req.source)) {
    return { action: 'warn', warning: illegalIdWarning(req.source, req.target, eventUuid) };
  }
  return { action: 'merge' };
}

function illegalIdWarning(illegalDistinctId: string, otherDistinctId: string, eventUuid: string): Warning {
  return {
    type: 'cannot_merge_with_illegal_distinct_id',
    details: { illegalDistinctId, otherDistinctId, eventUuid },
  };
}

type MergeCase = 'create_both' | 'add_target_to_source' | 'add_source_to_target' | 'same_person' | 'merge_persons';

/** Spec §2 table, from the persons of the source and target ids (null: no person yet). */
export function mergeCaseOf(sourcePerson: { id: string } | null, targetPerson: { id: string } | null): MergeCase {
  if (!sourcePerson && !targetPerson) return 'create_both';
  if (!targetPerson) return 'add_target_to_source';
  if (!sourcePerson) return 'add_source_to_target';
  return sourcePerson.id === targetPerson.id ? 'same_person' : 'merge_persons';
}

/** Spec §2: only the source person's flag matters; `$merge_dangerously` always merges. */
export function isMergeAllowed(kind: MergeKind, sourceIsIdentified: boolean): boolean {
  return kind === '$merge_dangerously' || !sourceIsIdentified;
}

export function refusedMergeWarning(req: MergeRequest, eventUuid: string): Warning {
  return {
    type: 'cannot_merge_already_identified',
    details: { sourcePersonDistinctId: req.source, targetPersonDistinctId: req.target, eventUuid },
  };
}
