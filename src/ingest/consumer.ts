import { dbOf } from '../db/client';
import type { Env } from '../env';
import { personLessEventRowOf, planWrites, warningRowsOf } from '../persons/plan';
import { readIngestState } from '../persons/reads';
import { writeInBatches } from '../persons/writes';
import { ingestProjectEvents, refusalOf, type Carried } from './ingest-project';
import type { IngestMessage } from './message';
import { deleteStagedEvents, withStagedEvents } from './staged';

/** Queue consumer for `ingest` and for its dead-letter queue. */
export async function consumeIngestBatch(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
  const db = dbOf(env.DB);
  const bodies = batch.messages.map((m) => m.body);
  const eventsOfMessages = await withStagedEvents(db, bodies);
  const byProject = new Map<number, Carried[]>();
  eventsOfMessages.forEach((events, index) => {
    const { projectId } = bodies[index]!;
    const carried = byProject.get(projectId) ?? [];
    for (const event of events) carried.push({ event, message: index });
    byProject.set(projectId, carried);
  });
  const failed = new Set<number>();
  await Promise.all(
    [...byProject].map(async ([projectId, carried]) => {
      try {
        for (const index of await ingestProjectEvents(env, db, projectId, carried)) failed.add(index);
      } catch (error) {
        console.error(`ingesting project ${projectId} failed; its messages will be retried`, error);
        for (const c of carried) failed.add(c.message);
      }
    }),
  );
  await deleteStagedEvents(db, bodies.filter((_, index) => !failed.has(index)));
  batch.messages.forEach((message, index) => (failed.has(index) ? message.retry({ delaySeconds: 1 }) : message.ack()));
}

/**
 * Messages that kept failing: store their events without person processing (so
 * nothing accepted is lost) with a warning for each, for someone to look at.
 */
async function consumeDeadLetters(batch: MessageBatch<IngestMessage>, env: Env): Promise<void> {
  const db = dbOf(env.DB);
  for (const message of batch.messages) {
    const { projectId } = message.body;
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
