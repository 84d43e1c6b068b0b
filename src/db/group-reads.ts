import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

export interface GroupView {
  groupTypeIndex: number;
  groupKey: string;
  properties: Record<string, unknown>;
  createdAt: string;
}

/** Where the previous page stopped: groups strictly before in (created_at, key) descending order. */
interface GroupCursor {
  createdAt: string;
  groupKey: string;
}

interface GroupFilter {
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
    conditions.push(
      sql`(group_key = ${filter.search} COLLATE NOCASE OR instr(lower(properties), lower(${filter.search})) > 0)`,
    );
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

export const findGroupSql = (projectId: number, groupTypeIndex: number, groupKey: string): SQL =>
  sql`SELECT group_type_index, group_key, properties, created_at FROM groups
    WHERE project_id = ${projectId} AND group_type_index = ${groupTypeIndex} AND group_key = ${groupKey}`;

export async function findGroup(
  db: Db,
  projectId: number,
  groupTypeIndex: number,
  groupKey: string,
): Promise<GroupView | undefined> {
  const row = await db.get<GroupRow>(findGroupSql(projectId, groupTypeIndex, groupKey));
  return row ? viewOf(row) : undefined;
}

export interface PersonGroup {
  groupTypeIndex: number;
  groupKey: string;
  /** The type's name, null if the mapping is gone. */
  groupType: string | null;
  nameSingular: string | null;
  /** Null when no `$groupidentify` ever created the group. */
  properties: Record<string, unknown> | null;
  lastSeen: string;
}

/** How many of a person's latest events are looked at for their groups. */
const PERSON_GROUPS_RECENT_EVENTS = 1000;

/**
 * The groups a person's recent events belong to, most recently seen first.
 * Reads the person's latest events through their distinct ids (the same index
 * as the person's events), not every event of the project.
 */
export function groupsOfPersonSql(projectId: number, personId: string, limit: number): SQL {
  const perIndex = [0, 1, 2, 3, 4].map(
    (i) =>
      sql`SELECT ${sql.raw(String(i))} AS idx, group_${sql.raw(String(i))} AS k, max(timestamp) AS last FROM recent
        WHERE group_${sql.raw(String(i))} IS NOT NULL GROUP BY 2`,
  );
  return sql`
    WITH recent AS (
      SELECT e.group_0, e.group_1, e.group_2, e.group_3, e.group_4, e.timestamp
      FROM events e INDEXED BY events_project_distinct_timestamp_idx
      WHERE e.project_id = ${projectId} AND e.distinct_id IN (
        SELECT d.distinct_id FROM person_distinct_ids d INDEXED BY person_distinct_ids_person_idx
        WHERE d.person_id = ${personId} AND d.project_id = ${projectId})
      ORDER BY e.timestamp DESC LIMIT ${PERSON_GROUPS_RECENT_EVENTS}
    ),
    keys AS (${sql.join(perIndex, sql` UNION ALL `)})
    SELECT keys.idx, keys.k, keys.last, m.group_type, m.name_singular, g.properties FROM keys
    LEFT JOIN group_type_mapping m INDEXED BY group_type_mapping_project_index_unique
      ON m.project_id = ${projectId} AND m.group_type_index = keys.idx
    LEFT JOIN groups g INDEXED BY sqlite_autoindex_groups_1 ON g.project_id = ${projectId}
      AND g.group_type_index = keys.idx AND g.group_key = keys.k
    ORDER BY keys.last DESC, keys.idx, keys.k LIMIT ${limit}`;
}

export async function groupsOfPerson(db: Db, projectId: number, personId: string, limit = 50): Promise<PersonGroup[]> {
  type Row = {
    idx: number;
    k: string;
    last: string;
    group_type: string | null;
    name_singular: string | null;
    properties: string | null;
  };
  const rows = await db.all<Row>(groupsOfPersonSql(projectId, personId, limit));
  return rows.map((r) => ({
    groupTypeIndex: r.idx,
    groupKey: r.k,
    groupType: r.group_type,
    nameSingular: r.name_singular,
    properties: r.properties === null ? null : (JSON.parse(r.properties) as Record<string, unknown>),
    lastSeen: r.last,
  }));
}
