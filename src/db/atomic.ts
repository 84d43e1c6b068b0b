import type { Db } from './client';

/** A D1 statement, ready to run in an atomic `batch()`. */
export type Statement = D1PreparedStatement;

/** True when D1 refused a batch because a guard or a unique key said the state moved on. */
function isWriteConflict(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const message = e instanceof Error ? e.message : String(e);
    if (/CHECK constraint failed|UNIQUE constraint failed|PRIMARY KEY constraint failed/i.test(message)) return true;
  }
  return false;
}

/** Runs statements as one atomic D1 batch. Returns false when a guard or unique key refused it. */
export async function writeAtomically(db: Db, statements: Statement[]): Promise<boolean> {
  if (statements.length === 0) return true;
  try {
    await db.$client.batch(statements);
    return true;
  } catch (error) {
    if (isWriteConflict(error)) return false;
    throw error;
  }
}

