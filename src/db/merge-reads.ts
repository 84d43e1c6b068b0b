/** Where a merged-away person went: the merge history followed from source to target. */
import { and, desc, eq, ne } from 'drizzle-orm';
import type { Db } from './client';
import { personMerges, persons } from './schema';

/** Hops followed at most (a chain of merges: A into B, B into C, ...). */
const MAX_HOPS = 20;

/**
 * The person a merged-away person lives on as now, with the merge that took it
 * there, or null when it was never merged away (deleted, or never existed).
 */
export async function survivorOf(
  db: Db,
  projectId: number,
  personId: string,
): Promise<{ personId: string; at: string; kind: string } | null> {
  let current = personId;
  let first: { at: string; kind: string } | null = null;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const [merge] = await db
      .select({ target: personMerges.targetPersonId, at: personMerges.at, kind: personMerges.kind })
      .from(personMerges)
      // A split is recorded from the split person to each new one: not a merge to follow.
      .where(
        and(
          eq(personMerges.projectId, projectId),
          eq(personMerges.sourcePersonId, current),
          ne(personMerges.kind, 'split'),
        ),
      )
      .orderBy(desc(personMerges.at))
      .limit(1);
    if (!merge) return null;
    first ??= { at: merge.at, kind: merge.kind };
    const [alive] = await db
      .select({ id: persons.id })
      .from(persons)
      .where(and(eq(persons.projectId, projectId), eq(persons.id, merge.target)))
      .limit(1);
    if (alive) return { personId: alive.id, ...first };
    current = merge.target;
  }
  return null;
}
