import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

export interface GroupView {
  groupTypeIndex: number;
  groupKey: string;
  properties: Record<string, unknown>;
  createdAt: string;
}

/** Where the previous page stopped: groups strictly before in (created_at, key) descending order. */
export interface GroupCursor {
  createdAt: string;
  groupKey: string;
}

export interface GroupFilter {
  groupTypeIndex: number;
  /** PostHog: the key equals it (ignoring case) or the properties' JSON contains it (ignoring case). */
  search?: string;
  cursor?: GroupCursor;
}

interface GroupRow {
  group_type_index: number;
  group_key: string;
  properties: string;
  created_at: string;
}

const viewOf = (r: GroupRow): GroupView => ({
  groupTypeIndex: r.group_type_index,
  groupKey: r.group_key,
  properties: JSON.parse(r.properties) as Record<string, unknown>,
  createdAt: r.created_at,
});

/** One page of a group type's groups, newest first (PostHog orders by -created_at). */
export function groupListSql(projectId: number, filter: GroupFilter, limit: number): SQL {
  const conditions: SQL[] = [sql`project_id = ${projectId}`, sql`group_type_index = ${filter.groupTypeIndex}`];
  if (filter.search !== undefined && filter.search !== '') {
    conditions.push(sql`(group_key = ${filter.search} COLLATE NOCASE OR instr(lower(properties), lower(${filter.search})) > 0)`);
  }
  if (filter.cursor) {
    const { createdAt, groupKey } = filter.cursor;
    conditions.push(sql`created_at <= ${createdAt} AND (created_at < ${createdAt} OR group_key < ${groupKey})`);
  }
  return sql`SELECT group_type_index, group_key, properties, created_at FROM groups
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY created_at DESC, group_key DESC LIMIT ${limit}`;
}

export async function listGroups(db: Db, projectId: number, filter: GroupFilter, limit: number): Promise<GroupView[]> {
  return (await db.all<GroupRow>(groupListSql(projectId, filter, limit))).map(viewOf);
}

export async function findGroup(db: Db, projectId: number, groupTypeIndex: number, groupKey: string): Promise<GroupView | undefined> {
  const row = await db.get<GroupRow>(sql`SELECT group_type_index, group_key, properties, created_at FROM groups
    WHERE project_id = ${projectId} AND group_type_index = ${groupTypeIndex} AND group_key = ${groupKey}`);
  return row ? viewOf(row) : undefined;
}
