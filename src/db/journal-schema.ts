import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Queue messages capture accepted, kept on the project's shard until the consumer
 * has stored their events: only when LOCAL_ACCEPT_JOURNAL is on (local `wrangler
 * dev`, whose queue lives in memory). src/queue/journal.ts owns it.
 */
export const acceptedMessages = sqliteTable(
  'accepted_messages',
  {
    id: text('id').primaryKey(),
    projectId: integer('project_id').notNull(),
    /** `ingest` or `ingest-historical`. */
    queue: text('queue', { enum: ['ingest', 'ingest-historical'] }).notNull(),
    body: text('body', { mode: 'json' }).notNull(),
    /** Unix milliseconds when capture accepted it. */
    acceptedAt: integer('accepted_at').notNull(),
    /** How many times it was handed to the queue (capture's send, then each re-send after a restart). */
    sends: integer('sends').notNull().default(1),
  },
  (t) => [index('accepted_messages_accepted_idx').on(t.acceptedAt)],
);
