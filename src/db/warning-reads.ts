import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

export interface WarningView {
  id: number;
  type: string;
  details: Record<string, unknown>;
  timestamp: string;
  eventUuid: string | null;
}

/** Where the previous page stopped: warnings strictly older in (timestamp, id) order. */
export interface WarningCursor {
  timestamp: string;
  id: number;
}

export interface WarningFilter {
  type?: string;
  cursor?: WarningCursor;
}

/** One page of a project's ingestion warnings, newest first by (timestamp, id). */
export function warningListSql(projectId: number, filter: WarningFilter, limit: number): SQL {
  const conditions: SQL[] = [sql`w.project_id = ${projectId}`];
  if (filter.type !== undefined) conditions.push(sql`w.type = ${filter.type}`);
  if (filter.cursor) {
    const { timestamp, id } = filter.cursor;
    conditions.push(sql`w.timestamp <= ${timestamp} AND (w.timestamp < ${timestamp} OR w.id < ${id})`);
  }
  return sql`SELECT w.id, w.type, w.details, w.timestamp, w.event_uuid FROM ingestion_warnings w
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY w.timestamp DESC, w.id DESC LIMIT ${limit}`;
}

export async function listWarnings(db: Db, projectId: number, filter: WarningFilter, limit: number): Promise<WarningView[]> {
  const rows = await db.all<{ id: number; type: string; details: string; timestamp: string; event_uuid: string | null }>(
    warningListSql(projectId, filter, limit),
  );
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    details: JSON.parse(r.details) as Record<string, unknown>,
    timestamp: r.timestamp,
    eventUuid: r.event_uuid,
  }));
}
