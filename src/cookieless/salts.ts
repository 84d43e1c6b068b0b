import { lte, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { cookielessIdentifies, cookielessSalts, cookielessSessions } from '../db/schema';
import { bytesOfBase64, unpaddedBase64 } from './hash';
import type { SaltWindow } from './days';

/** How long an isolate keeps a salt it read (never past the salt's expiry). */
const CACHE_TTL_MS = 60_000;
const MAX_CACHED = 10_000;

interface Cached {
  salt: Promise<Uint8Array | null>;
  until: number;
}

const cache = new Map<string, Cached>();

/**
 * The project's salt for a day, the same at every edge location: the first
 * request of the day inserts 16 random bytes, everyone else (also when racing)
 * gets the row that won. `null` if the stored salt has expired already. Cached
 * briefly in the isolate; concurrent requests of one isolate share one read.
 */
export function saltFor(db: Db, projectId: number, window: SaltWindow, now: number): Promise<Uint8Array | null> {
  const key = `${projectId}:${window.day}`;
  const hit = cache.get(key);
  if (hit && hit.until > now) return hit.salt;
  const salt = loadOrCreateSalt(db, projectId, window, now);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, { salt, until: Math.min(now + CACHE_TTL_MS, window.expiresAt) });
  salt.catch(() => cache.delete(key));
  return salt;
}

/** Forgets this isolate's cached salts (tests; after a deletion). */
export function forgetCachedSalts(): void {
  cache.clear();
}

async function loadOrCreateSalt(
  db: Db,
  projectId: number,
  window: SaltWindow,
  now: number,
): Promise<Uint8Array | null> {
  const fresh = unpaddedBase64(crypto.getRandomValues(new Uint8Array(16)));
  // One atomic statement: insert, or keep the row that is there and return it.
  const [row] = await db
    .insert(cookielessSalts)
    .values({ projectId, day: window.day, salt: fresh, expiresAt: window.expiresAt })
    .onConflictDoUpdate({
      target: [cookielessSalts.projectId, cookielessSalts.day],
      set: { salt: sql`${cookielessSalts.salt}` },
    })
    .returning({ salt: cookielessSalts.salt, expiresAt: cookielessSalts.expiresAt });
  if (!row) throw new Error('salt upsert returned no row');
  if (row.expiresAt <= now) return null;
  if (row.salt === fresh) {
    // Best effort: a failed clean-up must not refuse the events (the scheduled handler retries it).
    await purgeExpiredCookielessState(db, now).catch((err) =>
      console.error('purging expired cookieless state failed', err instanceof Error ? err.message : String(err)),
    );
  }
  return bytesOfBase64(row.salt);
}

/**
 * Deletes expired salts and the stateful bookkeeping that depended on them.
 * Runs when a day's salt is created (lazily, about once per project and day)
 * and from the scheduled handler.
 */
export async function purgeExpiredCookielessState(db: Db, now: number): Promise<void> {
  await db.batch([
    db.delete(cookielessSalts).where(lte(cookielessSalts.expiresAt, now)),
    db.delete(cookielessIdentifies).where(lte(cookielessIdentifies.expiresAt, now)),
    db.delete(cookielessSessions).where(lte(cookielessSessions.expiresAt, now)),
  ]);
}
