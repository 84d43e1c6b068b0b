import { and, eq, gt, lte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { webSessions } from '../db/schema';
import { issueSession, verifySession } from './session';

/**
 * Server-side sessions (`web_sessions` in the catalog): a signed cookie is
 * honoured only while its row exists, so signing out ends it at once.
 */

/** A new session: its row, then the cookie value. Expired rows are cleared on the way. */
export async function startSession(db: Db, secret: string, now = Date.now()): Promise<string> {
  const value = await issueSession(secret, now);
  const session = (await verifySession(secret, value, now))!;
  await db.batch([
    db.delete(webSessions).where(lte(webSessions.expiresAt, Math.floor(now / 1000))),
    db.insert(webSessions).values(session),
  ]);
  return value;
}

/** Whether the cookie value is a signed, unexpired session that has not been signed out. */
export async function isLiveSession(db: Db, secret: string, value: string | undefined, now = Date.now()) {
  const session = await verifySession(secret, value, now);
  if (!session) return false;
  const [row] = await db
    .select({ id: webSessions.id })
    .from(webSessions)
    .where(and(eq(webSessions.id, session.id), gt(webSessions.expiresAt, Math.floor(now / 1000))))
    .limit(1);
  return row !== undefined;
}

/** Signs the session out everywhere its cookie is (a cookie that is not a valid session ends nothing). */
export async function endSession(db: Db, secret: string, value: string | undefined, now = Date.now()) {
  const session = await verifySession(secret, value, now);
  if (session) await db.delete(webSessions).where(eq(webSessions.id, session.id));
}

/** The cron's clean-up of sessions past their expiry. */
export async function deleteExpiredSessions(db: Db, now = Date.now()): Promise<void> {
  await db.delete(webSessions).where(lte(webSessions.expiresAt, Math.floor(now / 1000)));
}
