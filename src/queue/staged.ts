import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { stagedEvents } from '../db/schema';
import { chunk } from '../db/chunk';
import { isStagedRef, type CapturedEvent, type IngestMessage } from './message';

/**
 * The staged-event lifecycle: an event too large for a queue message is staged
 * at capture (one `staged_events` row each, so each stays under D1's row limit)
 * and travels as its uuid; the consumer reads it back, and deletes it once the
 * message's events are stored.
 */

const keyOf = (projectId: number, uuid: string) => `${projectId}:${uuid}`;

function refsByProject(messages: IngestMessage[]): Map<number, string[]> {
  const refs = new Map<number, string[]>();
  for (const { projectId, events } of messages) {
    for (const e of events) if (isStagedRef(e)) refs.set(projectId, [...(refs.get(projectId) ?? []), e.staged]);
  }
  return refs;
}

/** At capture, before the messages that refer to them are sent. Re-staging the same uuid replaces it. */
export async function stageEvents(db: Db, projectId: number, events: CapturedEvent[]): Promise<void> {
  if (events.length === 0) return;
  const [first, ...rest] = events.map((body) =>
    db
      .insert(stagedEvents)
      .values({ projectId, uuid: body.uuid, body })
      .onConflictDoUpdate({
        target: [stagedEvents.projectId, stagedEvents.uuid],
        set: { body },
      }),
  );
  await db.batch([first!, ...rest]);
}

/**
 * The messages' events with staged (too large for a message) events read back
 * from D1. A ref whose row is gone was stored and cleaned up already: dropped.
 */
export async function withStagedEvents(db: Db, messages: IngestMessage[]): Promise<CapturedEvent[][]> {
  const loaded = new Map<string, CapturedEvent>();
  for (const [projectId, uuids] of refsByProject(messages)) {
    for (const part of chunk(uuids, 90)) {
      const rows = await db
        .select()
        .from(stagedEvents)
        .where(and(eq(stagedEvents.projectId, projectId), inArray(stagedEvents.uuid, part)));
      for (const row of rows) loaded.set(keyOf(projectId, row.uuid), row.body as CapturedEvent);
    }
  }
  return messages.map(({ projectId, events }) =>
    events.flatMap((e) => {
      if (!isStagedRef(e)) return [e];
      const event = loaded.get(keyOf(projectId, e.staged));
      return event ? [event] : [];
    }),
  );
}

/** Removes the staged rows of messages whose events are now stored. */
export async function deleteStagedEvents(db: Db, messages: IngestMessage[]): Promise<void> {
  for (const [projectId, uuids] of refsByProject(messages)) {
    for (const part of chunk(uuids, 90)) {
      await db.delete(stagedEvents).where(and(eq(stagedEvents.projectId, projectId), inArray(stagedEvents.uuid, part)));
    }
  }
}
