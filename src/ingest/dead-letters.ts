import type { Db } from '../db/client';
import { projectDb } from '../db/shards';
import type { Env } from '../env';
import { ingestGroups, type GroupedEvents } from '../groups/ingest-groups';
import { readIngestState, personLessEventRowOf } from '../persons';
import { ingestMessageOf, type CapturedEvent, type QueueBody } from '../queue/message';
import { forgetAccepted } from '../queue/journal';
import { deleteStagedEvents, withStagedEvents } from '../queue/staged';
import { warningRowsOf } from '../db/warning-writes';
import { captureWarningRows, refuse, storeRows, toStore } from './rules';

/**
 * Consumer of `ingest-dlq`: messages that kept failing. Their events go through
 * the live path's rules (rules.ts) and are stored without person processing (so
 * nothing accepted is lost), with a warning for each, for someone to look at.
 */
export async function consumeDeadLetters(batch: MessageBatch<QueueBody>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const body = ingestMessageOf(message.body);
    const { projectId } = body;
    const db = await projectDb(env, projectId);
    const [events = []] = await withStagedEvents(db, [body]);
    const { refused, accepted } = refuse(
      projectId,
      events.map((event) => ({ event })),
    );
    const { storedUuids, owners } = await readIngestState(
      db,
      projectId,
      accepted.map((a) => a.event.uuid),
      accepted.map((a) => a.event.distinct_id),
      { rows: false },
    );
    const { warnings: dropped, kept } = toStore(projectId, accepted, storedUuids);
    const fresh = await withGroupsIfPossible(
      db,
      projectId,
      kept.map((k) => k.event),
    );
    const rows = fresh.events.map((e) => personLessEventRowOf(projectId, e, owners));
    const warnings = [
      ...captureWarningRows(projectId, body),
      ...refused,
      ...dropped,
      ...fresh.events.flatMap((e) =>
        warningRowsOf(projectId, e.uuid, [
          ...(fresh.warnings.get(e.uuid) ?? []),
          {
            type: 'ingestion_retries_exhausted',
            details: { eventUuid: e.uuid, event: e.event, distinctId: e.distinct_id, attempts: message.attempts },
          },
        ]),
      ),
    ];
    await storeRows(db, rows, warnings);
    await deleteStagedEvents(db, [body]);
    await forgetAccepted(db, [body]);
    message.ack();
  }
}

/**
 * A dead letter's events still get their `$group_N` (and their group updates,
 * which apply idempotently); should the group step be what keeps failing, they
 * are stored as they came.
 */
async function withGroupsIfPossible(
  db: Db,
  projectId: number,
  events: CapturedEvent[],
): Promise<GroupedEvents<CapturedEvent>> {
  try {
    const grouped = await ingestGroups(db, projectId, events);
    const byUuid = new Map(grouped.events.map((e) => [e.uuid, e]));
    return { events: events.map((e) => byUuid.get(e.uuid) ?? e), warnings: grouped.warnings };
  } catch (error) {
    console.error('groups of dead-lettered events failed; stored without $group_N', error);
    return { events, warnings: new Map() };
  }
}
