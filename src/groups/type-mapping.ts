import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { groupTypeMapping } from '../db/schema';
import { MAX_GROUP_TYPES } from './rules';

export type GroupTypeRow = typeof groupTypeMapping.$inferSelect;

/**
 * Per isolate: project → group type → index. An index, once assigned, is never
 * reassigned, so a cached entry can never be wrong; a miss goes to D1.
 */
const cache = new Map<number, Map<string, number>>();

/**
 * The group type → index mapping of a project, with each of `types` mapped
 * first when a free index is left (in the order given). Each insert takes the
 * next index inside one SQL statement, and D1 runs statements one at a time,
 * so consumers that meet new types at once still agree: the loser of a race for
 * a type finds it mapped (primary key), and two types never share an index.
 */
export async function groupTypeIndexes(db: Db, projectId: number, types: string[]): Promise<Map<string, number>> {
  const cached = cache.get(projectId) ?? new Map<string, number>();
  const missing = [...new Set(types)].filter((t) => !cached.has(t));
  if (missing.length === 0 || cached.size >= MAX_GROUP_TYPES) return cached;
  const client = db.$client;
  const inserts = missing.map((type) =>
    client
      .prepare(
        `INSERT INTO group_type_mapping (project_id, group_type, group_type_index)
         SELECT ?1, ?2, (SELECT COUNT(*) FROM group_type_mapping WHERE project_id = ?1)
         WHERE (SELECT COUNT(*) FROM group_type_mapping WHERE project_id = ?1) < ?3
         ON CONFLICT DO NOTHING`,
      )
      .bind(projectId, type, MAX_GROUP_TYPES),
  );
  const read = client
    .prepare('SELECT group_type, group_type_index FROM group_type_mapping WHERE project_id = ?')
    .bind(projectId);
  const results = await client.batch<{ group_type: string; group_type_index: number }>([...inserts, read]);
  const mapping = new Map<string, number>();
  for (const row of results.at(-1)!.results) mapping.set(row.group_type, row.group_type_index);
  cache.set(projectId, mapping);
  return mapping;
}

/** The project's group types, by index (PostHog: `GET groups_types/`). */
export async function listGroupTypes(db: Db, projectId: number): Promise<GroupTypeRow[]> {
  return db
    .select()
    .from(groupTypeMapping)
    .where(eq(groupTypeMapping.projectId, projectId))
    .orderBy(asc(groupTypeMapping.groupTypeIndex));
}

/** Sets a type's display names (undefined leaves one as it is). False when the index is not mapped. */
export async function updateGroupTypeNames(
  db: Db,
  projectId: number,
  groupTypeIndex: number,
  names: { nameSingular?: string | null; namePlural?: string | null },
): Promise<boolean> {
  const set = Object.fromEntries(Object.entries(names).filter(([, v]) => v !== undefined));
  const where = and(eq(groupTypeMapping.projectId, projectId), eq(groupTypeMapping.groupTypeIndex, groupTypeIndex));
  if (Object.keys(set).length === 0) {
    return (
      (await db.select({ i: groupTypeMapping.groupTypeIndex }).from(groupTypeMapping).where(where).get()) !== undefined
    );
  }
  const result = await db.update(groupTypeMapping).set(set).where(where).run();
  return result.meta.changes > 0;
}
