import { dbOf } from '../db/client';
import { projectDatabase } from '../db/shards';
import type { Env } from '../env';
import { personLessEventRowOf, planWrites, warningRowsOf } from '../persons/plan';
import { readIngestState } from '../persons/reads';
import { writeInBatches } from '../persons/writes';
import { ingestProjectEvents, refusalOf, type Carried } from './ingest-project';
import type { IngestMessage } from './message';
import { deleteStagedEvents, withStagedEvents } from './staged';

/**
 * Queue consumer for `ingest` and for its dead-letter queue. A batch may carry
 * several projects' messages: each project's are read and written on its own
 * shard, and a project that fails retries only its own messages.
 */
export async function consumeIngestBatch(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
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
        const db = dbOf(await projectDatabase(env, projectId));
        const bodies = indexes.map((index) => batch.messages[index]!.body);
        const carried: Carried[] = [];
        (await withStagedEvents(db, bodies)).forEach((events, k) => {
          for (const event of events) carried.push({ event, message: indexes[k]! });
        });
        const retry = await ingestProjectEvents(env, db, projectId, carried);
        for (const index of retry) failed.add(index);
        await deleteStagedEvents(db, indexes.filter((index) => !retry.has(index)).map((index) => batch.messages[index]!.body));
      } catch (error) {
        console.error(`ingesting project ${projectId} failed; its messages will be retried`, error);
        for (const index of indexes) failed.add(index);
      }
    }),
  );
  batch.messages.forEach((message, index) => (failed.has(index) ? message.retry({ delaySeconds: 1 }) : message.ack()));
}

/**
 * Messages that kept failing: store their events without person processing (so
 * nothing accepted is lost) with a warning for each, for someone to look at.
 */
async function consumeDeadLetters(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const { projectId } = message.body;
    const db = dbOf(await projectDatabase(env, projectId));
    const [carried = []] = await withStagedEvents(db, [message.body]);
    const refused = carried.flatMap((e) => {
      const refusal = refusalOf(e);
      return refusal ? warningRowsOf(projectId, e.uuid, [refusal]) : [];
    });
    const events = carried.filter((e) => !refusalOf(e));
    const { storedUuids, owners } = await readIngestState(
      db,
      projectId,
      events.map((e) => e.uuid),
      events.map((e) => e.distinct_id),
      { rows: false },
    );
    const fresh = events.filter((e) => !storedUuids.has(e.uuid));
    const rows = fresh.map((e) => personLessEventRowOf(projectId, e, owners));
    const warnings = [...refused, ...fresh.flatMap((e) =>
      warningRowsOf(projectId, e.uuid, [
        {
          type: 'ingestion_retries_exhausted',
          details: { eventUuid: e.uuid, event: e.event, distinctId: e.distinct_id, attempts: message.attempts },
        },
      ]),
    )];
    await writeInBatches(db, planWrites(db, { statements: [], events: rows, warnings }));
    await deleteStagedEvents(db, [message.body]);
    message.ack();
  }
}
