import type { Db } from '../db/client';
import type { IdentityEvent, Warning } from '../identity';
import { applyGroupIdentifies, type GroupUpdate } from './group-writes';
import {
  groupIdentifyOf,
  groupsOfEvent,
  groupWarnings,
  withGroupProperties,
  type GroupProblem,
  type GroupRef,
} from './rules';
import { groupTypeIndexes } from './type-mapping';

export interface GroupedEvents<E> {
  /** The events, `$group_N` added to their properties for each mapped group type. */
  events: E[];
  /** Group warnings by event uuid. */
  warnings: Map<string, Warning[]>;
}

/**
 * The group part of ingestion for one project's new events, in order: maps
 * their group types (first appearance first), applies `$groupidentify`
 * property updates, and adds `$group_0` … `$group_4`. Give it only events that
 * are kept (a dropped `$groupidentify` must not update its group).
 */
export async function ingestGroups<E extends IdentityEvent>(
  db: Db,
  projectId: number,
  events: E[],
): Promise<GroupedEvents<E>> {
  const parsed = events.map((e) => {
    const { groups, problems } = groupsOfEvent(e.properties);
    const identify = groupIdentifyOf(e.event, e.properties);
    return { groups, identify: identify?.identify ?? null, problems: [...problems, ...(identify?.problems ?? [])] };
  });
  const types: string[] = [];
  for (const p of parsed) {
    if (p.identify) types.push(p.identify.type);
    for (const g of p.groups) types.push(g.type);
  }
  const warnings = new Map<string, Warning[]>();
  if (types.length === 0 && parsed.every((p) => p.problems.length === 0)) return { events, warnings };
  const mapping = types.length > 0 ? await groupTypeIndexes(db, projectId, types) : new Map<string, number>();

  const updates: GroupUpdate[] = [];
  const grouped = events.map((e, i) => {
    const { groups, identify, problems } = parsed[i]!;
    const referenced: GroupRef[] = identify ? [identify, ...groups] : groups;
    const unmapped = [...new Set(referenced.filter((g) => !mapping.has(g.type)).map((g) => g.type))];
    const eventWarnings = groupWarnings(e.uuid, problems as GroupProblem[], unmapped);
    if (eventWarnings.length > 0) warnings.set(e.uuid, eventWarnings);
    const index = identify ? mapping.get(identify.type) : undefined;
    if (identify && index !== undefined) {
      updates.push({
        groupTypeIndex: index,
        key: identify.key,
        set: identify.set,
        setOnce: identify.setOnce,
        timestamp: e.timestamp,
        eventUuid: e.uuid,
      });
    }
    const properties = withGroupProperties(e.properties, groups, mapping);
    return properties === e.properties ? e : { ...e, properties };
  });
  for (const [uuid, refused] of await applyGroupIdentifies(db, projectId, updates))
    warnings.set(uuid, [...(warnings.get(uuid) ?? []), ...refused]);
  return { events: grouped, warnings };
}
