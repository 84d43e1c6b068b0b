import { projectDb } from '../db/shards';
import type { Env } from '../env';
import { ingestMessageOf, type QueueBody } from '../queue/message';
import { forgetAccepted } from '../queue/journal';
import { deleteStagedEvents, withStagedEvents } from '../queue/staged';
import { writeWarnings } from '../db/warning-writes';
import { consumeDeadLetters } from './dead-letters';
import { ingestProjectEvents, type Carried } from './ingest-project';
import { captureWarningRows } from './rules';

/**
 * The Worker's queue handler: live events (`ingest`), historical imports
 * (`ingest-historical`, same rules, its own consumer so an import never delays
 * live traffic) and the dead-letter queue (`ingest-dlq`) of both (dead-letters.ts).
 */
export async function consumeIngestBatch(batch: MessageBatch<QueueBody>, env: Env): Promise<void> {
  if (batch.queue.endsWith('-dlq')) return consumeDeadLetters(batch, env);
  return consumeEvents(batch, env);
}

/**
 * Consumer of `ingest` and `ingest-historical`. A batch may carry several
 * projects' messages: each project's are read and written on its own shard, and
 * a project that fails retries only its own messages.
 */
async function consumeEvents(batch: MessageBatch<QueueBody>, env: Env): Promise<void> {
  const messages = batch.messages.map((message) => ingestMessageOf(message.body));
  const messagesOfProject = new Map<number, number[]>();
  messages.forEach((message, index) => {
    const indexes = messagesOfProject.get(message.projectId) ?? [];
    indexes.push(index);
    messagesOfProject.set(message.projectId, indexes);
  });
  const failed = new Set<number>();
  await Promise.all(
    [...messagesOfProject].map(async ([projectId, indexes]) => {
      try {
        const db = await projectDb(env, projectId);
        const bodies = indexes.map((index) => messages[index]!);
        const carried: Carried[] = [];
        (await withStagedEvents(db, bodies)).forEach((events, k) => {
          for (const event of events) carried.push({ event, message: indexes[k]! });
        });
        const warnings = bodies.flatMap((body) => captureWarningRows(projectId, body));
        if (warnings.length > 0) await writeWarnings(db, warnings);
        const retry = await ingestProjectEvents(env, db, projectId, carried);
        for (const index of retry) failed.add(index);
        const stored = indexes.filter((index) => !retry.has(index)).map((index) => messages[index]!);
        await deleteStagedEvents(db, stored);
        await forgetAccepted(db, stored);
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
