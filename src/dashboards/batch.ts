import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';

/** Runs drizzle statements as one D1 batch (all or nothing); nothing to do for none. */
export async function runBatch(db: Db, statements: BatchItem<'sqlite'>[]): Promise<void> {
  if (statements.length > 0) await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}
