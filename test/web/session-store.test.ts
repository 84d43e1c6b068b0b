// Server-side sessions (src/web/session-store.ts): a signed cookie opens the app only while its
// row is in `web_sessions`; expired rows are cleared at sign-in and by the cron.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../../src/db/client';
import { issueSession, SESSION_TTL_SECONDS } from '../../src/web/session';
import { deleteExpiredSessions, endSession, isLiveSession, startSession } from '../../src/web/session-store';
import { env } from '../support';

const KEY = 'session-store-key';
const db = () => dbOf(env.DB);
const rowExists = async (value: string) => {
  const nonce = value.split('.')[1]!;
  return (await db().all<{ n: number }>(sql`SELECT count(*) AS n FROM web_sessions WHERE id = ${nonce}`))[0]!.n === 1;
};

describe('server-side web sessions', () => {
  it('a started session is live until ended; ending it ends only it', async () => {
    const a = await startSession(db(), KEY);
    const b = await startSession(db(), KEY);
    expect(await isLiveSession(db(), KEY, a)).toBe(true);
    await endSession(db(), KEY, a);
    expect(await isLiveSession(db(), KEY, a)).toBe(false);
    expect(await rowExists(a)).toBe(false);
    expect(await isLiveSession(db(), KEY, b)).toBe(true);
  });

  it('a correctly signed cookie without its row (never started, or signed out) is not a session', async () => {
    const forged = await issueSession(KEY);
    expect(await isLiveSession(db(), KEY, forged)).toBe(false);
    // A cookie that is not a valid session ends nothing, and a tampered one is refused.
    const live = await startSession(db(), KEY);
    await endSession(db(), 'another-key', live);
    expect(await isLiveSession(db(), KEY, live)).toBe(true);
    expect(await isLiveSession(db(), 'another-key', live)).toBe(false);
  });

  it('expired sessions are not live, and the clean-up deletes only their rows', async () => {
    const longAgo = Date.now() - (SESSION_TTL_SECONDS + 60) * 1000;
    const expired = await startSession(db(), KEY, longAgo);
    expect(await rowExists(expired)).toBe(true);
    expect(await isLiveSession(db(), KEY, expired)).toBe(false);
    const live = await startSession(db(), KEY, Date.now() - 3_600_000);
    await deleteExpiredSessions(db()); // the hourly cron's step (src/scheduled.ts)
    expect(await rowExists(expired)).toBe(false);
    expect(await isLiveSession(db(), KEY, live)).toBe(true);
  });
});
