import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The web app's signed-in sessions (catalog). A session cookie is honoured only
 * while its row exists: signing out deletes it, so the old cookie stops working
 * at once. Rows past `expires_at` are deleted at the next sign-in and by the cron.
 */
export const webSessions = sqliteTable(
  'web_sessions',
  {
    /** The cookie's random nonce (the cookie is signed, so the nonce alone opens nothing). */
    id: text('id').primaryKey(),
    /** Unix seconds, the cookie's own expiry. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('web_sessions_expires_idx').on(t.expiresAt)],
);
