import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { cookielessIdentifies, cookielessSessions } from '../db/schema';

/** PostHog's session inactivity limit: a cookieless session ends after 30 minutes without events. */
const SESSION_INACTIVITY_MS = 30 * 60 * 1000;

/** D1 statements per batch call. */
const STATEMENTS_PER_BATCH = 50;

interface IdentifyRecord {
  visitorKey: string;
  eventUuid: string;
  expiresAt: number;
}

/**
 * Records the request's `$identify` events per visitor (a retried event is
 * recorded once) and returns, per visitor, every recorded identify in arrival
 * order, so an event can count the identifies that came before it.
 */
export async function recordIdentifies(
  db: Db,
  projectId: number,
  visitorKeys: string[],
  identifies: IdentifyRecord[],
): Promise<Map<string, string[]>> {
  const inserts = identifies.map((i) =>
    db
      .insert(cookielessIdentifies)
      .values({ projectId, ...i })
      .onConflictDoNothing(),
  );
  for (let i = 0; i < inserts.length; i += STATEMENTS_PER_BATCH) {
    const [first, ...rest] = inserts.slice(i, i + STATEMENTS_PER_BATCH);
    await db.batch([first!, ...rest]);
  }
  const ordered = new Map<string, string[]>(visitorKeys.map((k) => [k, []]));
  for (let i = 0; i < visitorKeys.length; i += 90) {
    const rows = await db
      .select({ visitorKey: cookielessIdentifies.visitorKey, eventUuid: cookielessIdentifies.eventUuid })
      .from(cookielessIdentifies)
      .where(
        and(
          eq(cookielessIdentifies.projectId, projectId),
          inArray(cookielessIdentifies.visitorKey, visitorKeys.slice(i, i + 90)),
        ),
      )
      .orderBy(cookielessIdentifies.id);
    for (const row of rows) ordered.get(row.visitorKey)?.push(row.eventUuid);
  }
  return ordered;
}

interface SessionTouch {
  sessionKey: string;
  timestampMs: number;
  /** Used if this event starts a session. */
  newSessionId: string;
  expiresAt: number;
}

/**
 * The session of each event, in order: the visitor's current session, or a new
 * one when the event comes more than 30 minutes after the session's latest
 * event. Each touch is one atomic upsert, so concurrent requests agree.
 */
export async function touchSessions(db: Db, projectId: number, touches: SessionTouch[]): Promise<string[]> {
  const t = cookielessSessions;
  const expired = sql`excluded.last_activity - ${t.lastActivity} > ${SESSION_INACTIVITY_MS}`;
  const statements = touches.map((touch) =>
    db
      .insert(t)
      .values({
        projectId,
        sessionKey: touch.sessionKey,
        sessionId: touch.newSessionId,
        lastActivity: touch.timestampMs,
        expiresAt: touch.expiresAt,
      })
      .onConflictDoUpdate({
        target: [t.projectId, t.sessionKey],
        set: {
          sessionId: sql`CASE WHEN ${expired} THEN excluded.session_id ELSE ${t.sessionId} END`,
          lastActivity: sql`CASE WHEN ${expired} THEN excluded.last_activity
            ELSE max(${t.lastActivity}, excluded.last_activity) END`,
          expiresAt: sql`max(${t.expiresAt}, excluded.expires_at)`,
        },
      })
      .returning({ sessionId: t.sessionId }),
  );
  const sessionIds: string[] = [];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const [first, ...rest] = statements.slice(i, i + STATEMENTS_PER_BATCH);
    const results = await db.batch([first!, ...rest]);
    for (const rows of results) sessionIds.push((rows as { sessionId: string }[])[0]!.sessionId);
  }
  return sessionIds;
}
