import { chunk } from '../db/chunk';
import type { Db } from '../db/client';
import type { Env } from '../env';
import { recordDefinitions } from '../definitions/record';
import type { EventRow } from '../db/event-writes';
import { ingestGroups } from '../groups/ingest-groups';
import { mergeRequestOf, precheckMerge, withoutPersonUpdates, type Warning } from '../identity';
import { PersonCalls, personObjects, readIngestState, personLessEventRowOf } from '../persons';
import type { CapturedEvent } from '../queue/message';
import { warningRowsOf } from '../db/warning-writes';
import { independentGroups, type PlannedEvent } from './person-groups';
import { refuse, storeRows, toStore } from './rules';
import { commitGroupsAtOnce, runGroup } from './run-groups';

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
  const { refused, accepted } = refuse(projectId, carried);
  const unique = new Map<string, Carried>();
  for (const c of accepted) if (!unique.has(c.event.uuid)) unique.set(c.event.uuid, c);
  const distinctIds = new Set<string>();
  for (const { event } of unique.values()) {
    distinctIds.add(event.distinct_id);
    const merge = mergeRequestOf(event);
    if (merge) distinctIds.add(merge.source);
  }
  const state = await readIngestState(db, projectId, [...unique.keys()], [...distinctIds]);
  const { owners } = state;
  const { warnings: dropped, kept } = toStore(projectId, [...unique.values()], state.storedUuids);

  const personLess: EventRow[] = [];
  const warnings = [...refused, ...dropped];
  const planned: (PlannedEvent & { message: number })[] = [];
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
    storeRows(db, personLess, warnings),
    Promise.all(
      chunk(independentGroups(planned, owners), GROUPS_PER_COMMIT).map(async (part) =>
        (await commitGroupsAtOnce(db, projectId, state, part)) ? [] : part,
      ),
    ),
    recordDefinitionsSafely(db, projectId, grouped.events),
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

/** Definitions are derived metadata: failing to write them must not retry the events (the next batch tries again). */
async function recordDefinitionsSafely(db: Db, projectId: number, events: CapturedEvent[]): Promise<void> {
  try {
    await recordDefinitions(db, projectId, events, Date.now());
  } catch (error) {
    console.error('recording event and property definitions failed; a later batch retries them', error);
  }
}

function planEvent(event: CapturedEvent, warnings: Warning[]): PlannedEvent {
  const merge = mergeRequestOf(event);
  if (!merge) return { item: { event, warnings }, merge: null };
  const check = precheckMerge(merge, event.uuid);
  if (check.action === 'merge') return { item: { event, warnings }, merge };
  // Same id or an illegal id: no merge, but the event still updates its own person.
  return { item: { event, warnings: check.action === 'warn' ? [...warnings, check.warning] : warnings }, merge: null };
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(runners);
}
