import { and, asc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { dbOf } from '../db/client';
import { chunk } from '../db/chunk';
import { acceptedMessages } from '../db/schema';
import { shardDatabases } from '../db/shards';
import type { Env } from '../env';
import type { IngestMessage, QueueBody } from './message';

/**
 * The local acceptance journal. Locally (`wrangler dev`) the queue lives in the
 * process's memory: a message capture answered 200 for is lost when the process
 * dies before the consumer stored it. With LOCAL_ACCEPT_JOURNAL on (`npm start`
 * and `npm run dev` set it), capture first writes each message to
 * `accepted_messages` on the project's shard, the consumer deletes the row once
 * the message's events are stored, and the first request after a restart sends
 * the rows left over to the queue again (events are stored once by uuid, so a
 * message sent twice is harmless). On Cloudflare the queue persists, so this
 * stays off there and capture writes nothing to D1.
 */

type QueueName = 'ingest' | 'ingest-historical';

/** A message that was sent this many times and still not stored is left for someone to look at. */
const MAX_SENDS = 5;
/** The cron also re-sends rows older than this (a local broker can drop messages without a restart). */
const STALE_AFTER_MS = 15 * 60_000;
/** Rows read per page while re-sending. */
const PAGE_ROWS = 50;

const isOn = (env: Pick<Env, 'LOCAL_ACCEPT_JOURNAL'>) => ['1', 'on', 'true'].includes(env.LOCAL_ACCEPT_JOURNAL ?? '');

export interface AcceptJournal {
  queueName: QueueName;
}

/** The journal capture writes to for `queue`, or undefined when it is off. */
export function acceptJournalOf(env: Env, queue: Queue<QueueBody>): AcceptJournal | undefined {
  if (!isOn(env)) return undefined;
  return { queueName: queue === env.HISTORICAL_QUEUE ? 'ingest-historical' : 'ingest' };
}

/** Writes the messages (each given its journal id) before they are sent; one D1 batch. */
export async function journalAccepted(
  db: Db,
  journal: AcceptJournal,
  messages: IngestMessage[],
  now = Date.now(),
): Promise<void> {
  if (messages.length === 0) return;
  const rows = messages.map((body) => {
    body.journalId = crypto.randomUUID();
    return db.insert(acceptedMessages).values({
      id: body.journalId,
      projectId: body.projectId,
      queue: journal.queueName,
      body,
      acceptedAt: now,
    });
  });
  await db.batch([rows[0]!, ...rows.slice(1)]);
}

/** Deletes the rows of messages whose events are stored (nothing to do for messages without a journal id). */
export async function forgetAccepted(db: Db, messages: IngestMessage[]): Promise<void> {
  const ids = messages.flatMap((m) => (m.journalId ? [m.journalId] : []));
  for (const part of chunk(ids, 90)) await db.delete(acceptedMessages).where(inArray(acceptedMessages.id, part));
}

/**
 * Sends every journal row accepted before `acceptedBefore` (ms) to its queue again,
 * on every shard; returns how many were sent.
 */
export async function resendAccepted(env: Env, acceptedBefore: number): Promise<number> {
  let sent = 0;
  for (const d1 of shardDatabases(env)) {
    const db = dbOf(d1);
    let after = '';
    for (;;) {
      const rows = await db
        .select()
        .from(acceptedMessages)
        .where(
          and(
            lt(acceptedMessages.acceptedAt, acceptedBefore),
            lt(acceptedMessages.sends, MAX_SENDS),
            gt(acceptedMessages.id, after),
          ),
        )
        .orderBy(asc(acceptedMessages.id))
        .limit(PAGE_ROWS);
      if (rows.length === 0) break;
      for (const row of rows) {
        const queue = row.queue === 'ingest-historical' ? env.HISTORICAL_QUEUE : env.INGEST_QUEUE;
        await queue.send(row.body as IngestMessage, { contentType: 'json' });
        await db
          .update(acceptedMessages)
          .set({ sends: sql`${acceptedMessages.sends} + 1` })
          .where(eq(acceptedMessages.id, row.id));
        if (row.sends + 1 >= MAX_SENDS)
          console.error(`accepted message ${row.id} (project ${row.projectId}) sent ${MAX_SENDS} times, not stored`);
        sent += 1;
      }
      after = rows.at(-1)!.id;
    }
  }
  return sent;
}

let resendOnStart: Promise<unknown> | undefined;

/**
 * On the first request of this isolate (a restarted `wrangler dev`), re-sends what
 * an earlier process accepted but did not store. Nothing when the journal is off.
 */
export function resendAfterRestart(env: Env, ctx: ExecutionContext): void {
  if (resendOnStart || !isOn(env)) return;
  const startedAt = Date.now();
  resendOnStart = resendAccepted(env, startedAt).then(
    (sent) => {
      if (sent > 0) console.log(`re-sent ${sent} accepted messages left from before the restart`);
    },
    (error: unknown) => {
      console.error('re-sending accepted messages failed; the next restart tries again', error);
    },
  );
  ctx.waitUntil(resendOnStart);
}

/** The cron's sweep: rows older than STALE_AFTER_MS go to the queue again. */
export async function resendStaleAccepted(env: Env, now = Date.now()): Promise<void> {
  if (!isOn(env)) return;
  const sent = await resendAccepted(env, now - STALE_AFTER_MS);
  if (sent > 0) console.log(`re-sent ${sent} accepted messages not stored after ${STALE_AFTER_MS / 60_000} minutes`);
}
