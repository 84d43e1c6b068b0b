import {
  isCookielessPlaceholder,
  mergeRequestOf,
  personProcessingOf,
  precheckMerge,
  withoutPersonUpdates,
  type PersonProcessing,
  type Warning,
} from '../identity';
import { ingestGroups } from '../groups/ingest-groups';
import type { Db } from '../db/client';
import type { Env } from '../env';
import { personLessEventRowOf, planWrites, warningRowsOf } from '../persons/plan';
import { chunk } from '../db/chunk';
import { readIngestState } from '../persons/reads';
import { writeInBatches, type EventRow, type WarningRow } from '../persons/writes';
import { forEachLimited, independentGroups, type PlannedEvent } from './components';
import type { CapturedEvent } from '../queue/message';
import { PersonCalls, personObjects } from './person-calls';
import { commitGroupsAtOnce, runGroup } from './planned-commit';

/** An event and the index of the queue message that carried it. */
export interface Carried {
  event: CapturedEvent;
  message: number;
}

const PARALLEL_GROUPS = 32;
/** Groups planned into one D1 batch on the fast path; a refused batch sends only these to the person objects. */
const GROUPS_PER_COMMIT = 100;

/**
 * Person processing for one project's events of a consumer batch. Returns the
 * indexes of messages that must be retried (their other events are stored, and
 * stored events are skipped on retry, so a retry applies nothing twice).
 */
export async function ingestProjectEvents(
  env: Env,
  db: Db,
  projectId: number,
  carried: Carried[],
): Promise<Set<number>> {
  const unique = new Map<string, Carried>();
  const refused: WarningRow[] = [];
  for (const c of carried) {
    const refusal = refusalOf(c.event);
    if (refusal) refused.push(...warningRowsOf(projectId, c.event.uuid, [refusal]));
    else if (!unique.has(c.event.uuid)) unique.set(c.event.uuid, c);
  }
  const distinctIds = new Set<string>();
  for (const { event } of unique.values()) {
    distinctIds.add(event.distinct_id);
    const merge = mergeRequestOf(event);
    if (merge) distinctIds.add(merge.source);
  }
  const state = await readIngestState(db, projectId, [...unique.keys()], [...distinctIds]);
  const { storedUuids, owners } = state;

  const personLess: EventRow[] = [];
  const warnings: WarningRow[] = refused;
  const planned: (PlannedEvent & { message: number })[] = [];
  const kept: (Carried & { processing: PersonProcessing })[] = [];
  for (const { event, message } of unique.values()) {
    if (storedUuids.has(event.uuid)) continue;
    const processing = personProcessingOf(event);
    if (processing.drop) warnings.push(...warningRowsOf(projectId, event.uuid, processing.warnings));
    else kept.push({ event, message, processing });
  }
  // Dropped events touch no group; kept ones map their group types and update groups first.
  const grouped = await ingestGroups(
    db,
    projectId,
    kept.map((k) => k.event),
  );
  kept.forEach(({ message, processing }, i) => {
    const event = grouped.events[i]!;
    const groupWarnings = grouped.warnings.get(event.uuid) ?? [];
    if (!processing.processPerson) {
      personLess.push(personLessEventRowOf(projectId, withoutPersonUpdates(event), owners));
      warnings.push(...warningRowsOf(projectId, event.uuid, groupWarnings));
    } else {
      planned.push({ ...planEvent(event, [...processing.warnings, ...groupWarnings]), message });
    }
  });

  // Person-less events and the independent groups' commits touch nothing in common, so they go to
  // D1 together: each commit is planned while the writes before it run.
  const [, refusedGroups] = await Promise.all([
    writeInBatches(db, planWrites(db, { statements: [], events: personLess, warnings })),
    Promise.all(
      chunk(independentGroups(planned, owners), GROUPS_PER_COMMIT).map(async (part) =>
        (await commitGroupsAtOnce(db, projectId, state, part)) ? [] : part,
      ),
    ),
  ]);
  const contended: PlannedEvent[][] = refusedGroups.flat();

  const failed = new Set<number>();
  const calls = new PersonCalls(personObjects(env), db, projectId, state);
  await forEachLimited(contended, PARALLEL_GROUPS, async (group) => {
    try {
      await runGroup(calls, group);
    } catch (error) {
      console.error('person processing failed; the messages will be retried', error);
      for (const p of group as typeof planned) failed.add(p.message);
    }
  });
  return failed;
}

function planEvent(event: CapturedEvent, warnings: Warning[]): PlannedEvent {
  const merge = mergeRequestOf(event);
  if (!merge) return { item: { event, warnings }, merge: null };
  const check = precheckMerge(merge, event.uuid);
  if (check.action === 'merge') return { item: { event, warnings }, merge };
  // Same id or an illegal id: no merge, but the event still updates its own person.
  return { item: { event, warnings: check.action === 'warn' ? [...warnings, check.warning] : warnings }, merge: null };
}

/**
 * Accepted events that are not stored, only warned about: dropped at capture
 * (the warning travels with the event), or carrying a cookieless placeholder
 * distinct id, which must never become a person's id (e.g. queued before the
 * project's cookieless mode applied at capture).
 */
export function refusalOf(event: CapturedEvent): Warning | null {
  if (event.dropped) return event.dropped;
  if (isCookielessPlaceholder(event.distinct_id)) {
    return {
      type: 'cookieless_placeholder_distinct_id',
      details: { distinctId: event.distinct_id, event: event.event, eventUuid: event.uuid },
    };
  }
  return null;
}
