import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

export interface WarningView {
  id: number;
  type: string;
  details: Record<string, unknown>;
  timestamp: string;
  eventUuid: string | null;
}

interface StoredWarningRow {
  id: number;
  type: string;
  details: string;
  timestamp: string;
  event_uuid: string | null;
}

const warningOfRow = (r: StoredWarningRow): WarningView => ({
  id: r.id,
  type: r.type,
  details: JSON.parse(r.details) as Record<string, unknown>,
  timestamp: r.timestamp,
  eventUuid: r.event_uuid,
});

/** Where the previous page stopped: warnings strictly older in (timestamp, id) order. */
interface WarningCursor {
  timestamp: string;
  id: number;
}

interface WarningFilter {
  type?: string;
  /** ISO timestamps, exclusive. */
  after?: string;
  before?: string;
  cursor?: WarningCursor;
}

/** One page of a project's ingestion warnings, newest first by (timestamp, id). */
export function warningListSql(projectId: number, filter: WarningFilter, limit: number): SQL {
  const conditions: SQL[] = [sql`w.project_id = ${projectId}`];
  if (filter.type !== undefined) conditions.push(sql`w.type = ${filter.type}`);
  if (filter.after !== undefined) conditions.push(sql`w.timestamp > ${filter.after}`);
  if (filter.before !== undefined) conditions.push(sql`w.timestamp < ${filter.before}`);
  if (filter.cursor) {
    const { timestamp, id } = filter.cursor;
    conditions.push(sql`w.timestamp <= ${timestamp} AND (w.timestamp < ${timestamp} OR w.id < ${id})`);
  }
  return sql`SELECT w.id, w.type, w.details, w.timestamp, w.event_uuid FROM ingestion_warnings w
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY w.timestamp DESC, w.id DESC LIMIT ${limit}`;
}

export async function listWarnings(
  db: Db,
  projectId: number,
  filter: WarningFilter,
  limit: number,
): Promise<WarningView[]> {
  const rows = await db.all<StoredWarningRow>(warningListSql(projectId, filter, limit));
  return rows.map(warningOfRow);
}

/** The warning types a project has, with how many of each (for the warnings page's filter). */
export const warningTypeCountsSql = (projectId: number) =>
  sql`SELECT type, count(*) AS count FROM ingestion_warnings WHERE project_id = ${projectId} GROUP BY type
    ORDER BY count DESC, type`;

export async function warningTypeCounts(db: Db, projectId: number): Promise<{ type: string; count: number }[]> {
  return db.all<{ type: string; count: number }>(warningTypeCountsSql(projectId));
}

/** Merge types whose details name the distinct ids on either side. */
const MERGE_WARNING_SIDES: Record<string, [string, string]> = {
  cannot_merge_already_identified: ['sourcePersonDistinctId', 'targetPersonDistinctId'],
  cannot_merge_with_illegal_distinct_id: ['illegalDistinctId', 'otherDistinctId'],
};

/**
 * The refused merges that involved any of these distinct ids, oldest first: warnings of the
 * merge types whose details name one of them on either side. Reads the project's warnings of
 * those types (type index), so the cost follows how many merges the project ever refused.
 */
export function mergeWarningsSql(projectId: number, distinctIds: string[], limit: number): SQL {
  const ids = JSON.stringify(distinctIds);
  const parts = Object.entries(MERGE_WARNING_SIDES).map(
    ([type, [a, b]]) => sql`SELECT w.id, w.type, w.details, w.timestamp, w.event_uuid FROM ingestion_warnings w
      WHERE w.project_id = ${projectId} AND w.type = ${type}
        AND (json_extract(w.details, ${`$.${a}`}) IN (SELECT value FROM json_each(${ids}))
          OR json_extract(w.details, ${`$.${b}`}) IN (SELECT value FROM json_each(${ids})))`,
  );
  return sql`SELECT * FROM (${sql.join(parts, sql` UNION ALL `)}) ORDER BY timestamp, id LIMIT ${limit}`;
}

export async function mergeWarningsOf(
  db: Db,
  projectId: number,
  distinctIds: string[],
  limit = 200,
): Promise<WarningView[]> {
  if (distinctIds.length === 0) return [];
  const rows = await db.all<StoredWarningRow>(mergeWarningsSql(projectId, distinctIds, limit));
  return rows.map(warningOfRow);
}

/** The warnings one event raised (unique per type, found through the event-and-type index). */
export const warningsOfEventSql = (projectId: number, eventUuid: string) =>
  sql`SELECT w.id, w.type, w.details, w.timestamp, w.event_uuid FROM ingestion_warnings w
    WHERE w.project_id = ${projectId} AND w.event_uuid = ${eventUuid} ORDER BY w.id`;

export async function warningsOfEvent(db: Db, projectId: number, eventUuid: string): Promise<WarningView[]> {
  const rows = await db.all<StoredWarningRow>(warningsOfEventSql(projectId, eventUuid));
  return rows.map(warningOfRow);
}
