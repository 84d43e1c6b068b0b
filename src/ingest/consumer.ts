import type { Db } from '../db/client';
import { ingestGroups, type GroupedEvents } from '../groups/ingest-groups';
import { personProcessingOf } from '../identity';
import { projectDb } from '../db/shards';
import type { Env } from '../env';
import { personLessEventRowOf, planWrites, warningRowsOf } from '../persons/plan';
import { readIngestState } from '../persons/reads';
import { writeInBatches, type WarningRow } from '../persons/writes';
import { ingestProjectEvents, refusalOf, type Carried } from './ingest-project';
import type { CapturedEvent, IngestMessage } from '../queue/message';
import { deleteStagedEvents, withStagedEvents } from '../queue/staged';

/**
 * The Worker's queue handler: live events (`ingest`), historical imports
 * (`ingest-historical`, same rules, its own consumer so an import never delays
 * live traffic) and the dead-letter queue (`ingest-dlq`) of both.
 */
export async function consumeIngestBatch(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
  return consumeEvents(batch, env);
}

/**
 * Consumer of `ingest` and `ingest-historical`. A batch may carry several
 * projects' messages: each project's are read and written on its own shard, and
 * a project that fails retries only its own messages.
 */
async function consumeEvents(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  const messagesOfProject = new Map<number, number[]>();
  batch.messages.forEach((message, index) => {
    const indexes = messagesOfProject.get(message.body.projectId) ?? [];
    indexes.push(index);
    messagesOfProject.set(message.body.projectId, indexes);
  });
  const failed = new Set<number>();
  await Promise.all(
    [...messagesOfProject].map(async ([projectId, indexes]) => {
      try {
        const db = await projectDb(env, projectId);
        const bodies = indexes.map((index) => batch.messages[index]!.body);
        const carried: Carried[] = [];
        const warnings: WarningRow[] = [];
        (await withStagedEvents(db, bodies)).forEach((events, k) => {
          for (const event of events) carried.push({ event, message: indexes[k]! });
          for (const w of bodies[k]!.warnings ?? []) warnings.push(...warningRowsOf(projectId, w.eventUuid, [w]));
        });
        if (warnings.length > 0) await writeInBatches(db, planWrites(db, { statements: [], events: [], warnings }));
        const retry = await ingestProjectEvents(env, db, projectId, carried);
        for (const index of retry) failed.add(index);
        await deleteStagedEvents(
          db,
          indexes.filter((index) => !retry.has(index)).map((index) => batch.messages[index]!.body),
        );
      } catch (error) {
        console.error(`ingesting project ${projectId} failed; its messages will be retried`, error);
        for (const index of indexes) failed.add(index);
      }
    }),
  );
  for (const [index, message] of batch.messages.entries()) {
    if (failed.has(index)) message.retry({ delaySeconds: 1 });
    else message.ack();
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
  const kept = events.filter((e) => !personProcessingOf(e).drop);
  try {
    const grouped = await ingestGroups(db, projectId, kept);
    const byUuid = new Map(grouped.events.map((e) => [e.uuid, e]));
    return { events: events.map((e) => byUuid.get(e.uuid) ?? e), warnings: grouped.warnings };
  } catch (error) {
    console.error('groups of dead-lettered events failed; stored without $group_N', error);
    return { events, warnings: new Map() };
  }
}

/**
 * Messages that kept failing: store their events without person processing (so
 * nothing accepted is lost) with a warning for each, for someone to look at.
 */
async function consumeDeadLetters(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const { projectId } = message.body;
    const db = await projectDb(env, projectId);
    const [carried = []] = await withStagedEvents(db, [message.body]);
    const refused = carried.flatMap((e) => {
      const refusal = refusalOf(e);
      return refusal ? warningRowsOf(projectId, e.uuid, [refusal]) : [];
    });
    // Events the rules never store ($$client_ingestion_warning, person-only events sent person-less): their warnings only.
    const dropped = carried.filter((e) => !refusalOf(e) && personProcessingOf(e).drop);
    const events = carried.filter((e) => !refusalOf(e) && !personProcessingOf(e).drop);
    const { storedUuids, owners } = await readIngestState(
      db,
      projectId,
      events.map((e) => e.uuid),
      events.map((e) => e.distinct_id),
      { rows: false },
    );
    const fresh = await withGroupsIfPossible(
      db,
      projectId,
      events.filter((e) => !storedUuids.has(e.uuid)),
    );
    const rows = fresh.events.map((e) => personLessEventRowOf(projectId, e, owners));
    const captureWarnings = (message.body.warnings ?? []).flatMap((w) => warningRowsOf(projectId, w.eventUuid, [w]));
    const droppedWarnings = dropped.flatMap((e) => warningRowsOf(projectId, e.uuid, personProcessingOf(e).warnings));
    const warnings = [
      ...captureWarnings,
      ...refused,
      ...droppedWarnings,
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
    await writeInBatches(db, planWrites(db, { statements: [], events: rows, warnings }));
    await deleteStagedEvents(db, [message.body]);
    message.ack();
  }
}
