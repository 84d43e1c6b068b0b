import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

export interface EventView {
  uuid: string;
  event: string;
  distinctId: string;
  properties: Record<string, unknown>;
  timestamp: string;
  /** The person the distinct id belongs to now, else the person id it was stored with. */
  personId: string;
}

/** Where the previous page stopped: events strictly older in (timestamp, uuid) order. */
interface EventCursor {
  timestamp: string;
  uuid: string;
}

interface EventFilter {
  /**
   * Events of this person's current distinct ids, so a merged person sees the
   * events sent under its merged-away ids (spec: REST API, events). A person that
   * does not exist in the project has no events (as in PostHog), even when
   * person-less events were stored with its id.
   */
  personId?: string;
  distinctId?: string;
  /** Events of one group: its type's index and its key (`group_N` column). */
  group?: { index: number; key: string };
  event?: string;
  /** ISO timestamps, exclusive, in the stored `toISOString()` form. */
  after?: string;
  before?: string;
  cursor?: EventCursor;
}

interface StoredEventRow {
  uuid: string;
  event: string;
  distinct_id: string;
  properties: string;
  timestamp: string;
  person_id: string;
}

/**
 * Without statistics SQLite prefers walking the project's timestamp index (no
 * sort) and filtering, which reads every event of the project for a person with
 * few events. A person's events are read through their distinct ids instead,
 * then sorted: the cost follows the person's events, not the project's.
 */
const PER_DISTINCT_ID = sql.raw('INDEXED BY events_project_distinct_timestamp_idx');

/** A group's events come from its partial index (`group_N IS NOT NULL`), whatever else filters them. */
const perGroup = (index: number) => sql.raw(`INDEXED BY events_project_group${groupIndexOf(index)}_timestamp_idx`);

function groupIndexOf(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index > 4) throw new Error(`bad group type index ${index}`);
  return index;
}

const groupColumnOf = (index: number) => sql.raw(`e.group_${groupIndexOf(index)}`);

/** One page of a project's events, newest first by (timestamp, uuid). */
export function eventListSql(projectId: number, filter: EventFilter, limit: number): SQL {
  const conditions: SQL[] = [sql`e.project_id = ${projectId}`];
  if (filter.personId !== undefined) {
    conditions.push(
      sql`e.distinct_id IN (SELECT d.distinct_id FROM person_distinct_ids d INDEXED BY person_distinct_ids_person_idx
        WHERE d.person_id = ${filter.personId} AND d.project_id = ${projectId})`,
    );
  }
  if (filter.distinctId !== undefined) conditions.push(sql`e.distinct_id = ${filter.distinctId}`);
  if (filter.group !== undefined) conditions.push(sql`${groupColumnOf(filter.group.index)} = ${filter.group.key}`);
  if (filter.event !== undefined) conditions.push(sql`e.event = ${filter.event}`);
  if (filter.after !== undefined) conditions.push(sql`e.timestamp > ${filter.after}`);
  if (filter.before !== undefined) conditions.push(sql`e.timestamp < ${filter.before}`);
  if (filter.cursor) {
    // Written as a range plus a tie-break so the timestamp index still bounds the scan.
    const { timestamp, uuid } = filter.cursor;
    conditions.push(sql`e.timestamp <= ${timestamp} AND (e.timestamp < ${timestamp} OR e.uuid < ${uuid})`);
  }
  const join =
    filter.personId !== undefined ? PER_DISTINCT_ID : filter.group !== undefined ? perGroup(filter.group.index) : sql``;
  return sql`SELECT e.uuid, e.event, e.distinct_id, e.properties, e.timestamp,
      COALESCE(m.person_id, e.person_id_at_ingest) AS person_id
    FROM events e ${join}
    LEFT JOIN person_distinct_ids m ON m.project_id = e.project_id AND m.distinct_id = e.distinct_id
    WHERE ${sql.join(conditions, sql` AND `)}
    ORDER BY e.timestamp DESC, e.uuid DESC LIMIT ${limit}`;
}

const eventOfRow = (r: StoredEventRow): EventView => ({
  uuid: r.uuid,
  event: r.event,
  distinctId: r.distinct_id,
  properties: JSON.parse(r.properties) as Record<string, unknown>,
  timestamp: r.timestamp,
  personId: r.person_id,
});

export async function listEvents(db: Db, projectId: number, filter: EventFilter, limit: number): Promise<EventView[]> {
  const rows = await db.all<StoredEventRow>(eventListSql(projectId, filter, limit));
  return rows.map(eventOfRow);
}

/** One event by uuid (with the person its distinct id belongs to now), or undefined. */
export const eventByUuidSql = (projectId: number, uuid: string) =>
  sql`SELECT e.uuid, e.event, e.distinct_id, e.properties, e.timestamp,
      COALESCE(m.person_id, e.person_id_at_ingest) AS person_id
    FROM events e LEFT JOIN person_distinct_ids m ON m.project_id = e.project_id AND m.distinct_id = e.distinct_id
    WHERE e.project_id = ${projectId} AND e.uuid = ${uuid}`;

export async function getEvent(db: Db, projectId: number, uuid: string): Promise<EventView | undefined> {
  const row = await db.get<StoredEventRow>(eventByUuidSql(projectId, uuid));
  return row && eventOfRow(row);
}

/** The timestamps of these events (by uuid); events not stored (or deleted) are missing. */
// CROSS JOIN keeps the bound list outside, so each uuid is one primary-key lookup.
export const eventTimestampsSql = (projectId: number, uuids: string[]) =>
  sql`SELECT e.uuid, e.timestamp FROM json_each(${JSON.stringify(uuids)}) j CROSS JOIN events e
    WHERE e.project_id = ${projectId} AND e.uuid = j.value`;

export async function eventTimestamps(db: Db, projectId: number, uuids: string[]): Promise<Map<string, string>> {
  if (uuids.length === 0) return new Map();
  const rows = await db.all<{ uuid: string; timestamp: string }>(eventTimestampsSql(projectId, uuids));
  return new Map(rows.map((r) => [r.uuid, r.timestamp]));
}
