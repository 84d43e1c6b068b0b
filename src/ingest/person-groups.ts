import type { MergeRequest, PersonEvent } from '../identity';

/** A person-processed event as planned by the consumer: plain updates, or a merge. */
export interface PlannedEvent {
  item: PersonEvent;
  merge: MergeRequest | null;
}

/** Between two merges, events of different persons are independent. */
type Segment = { kind: 'updates'; items: PersonEvent[] } | { kind: 'merge'; planned: PlannedEvent };

/**
 * Splits a batch's person-processed events into groups that share no distinct id
 * and no person, directly or through a merge. Groups can run in parallel; each
 * group's events keep their order.
 */
export function independentGroups(planned: PlannedEvent[], owners: Map<string, string>): PlannedEvent[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const nodeOf = (distinctId: string) => {
    const owner = owners.get(distinctId);
    if (owner) union(`d:${distinctId}`, `p:${owner}`);
    return `d:${distinctId}`;
  };
  for (const p of planned) {
    const node = nodeOf(p.item.event.distinct_id);
    if (p.merge) union(node, nodeOf(p.merge.source));
  }
  const groups = new Map<string, PlannedEvent[]>();
  for (const p of planned) {
    const root = find(`d:${p.item.event.distinct_id}`);
    const group = groups.get(root);
    if (group) group.push(p);
    else groups.set(root, [p]);
  }
  return [...groups.values()];
}

/** Runs of plain updates separated by merges, in event order. */
export function segmentsOf(group: PlannedEvent[]): Segment[] {
  const segments: Segment[] = [];
  for (const p of group) {
    const last = segments.at(-1);
    if (p.merge) segments.push({ kind: 'merge', planned: p });
    else if (last?.kind === 'updates') last.items.push(p.item);
    else segments.push({ kind: 'updates', items: [p.item] });
  }
  return segments;
}
