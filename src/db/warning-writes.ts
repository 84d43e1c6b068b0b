/**
 * Every insert of ingestion warnings: the rows of warnings about events (or,
 * with no event, about the project), and the statements that store them.
 */
import type { Db } from './client';
import type { ingestionWarnings } from './schema';
import { jsonArrayStatements, writeInBatches, type Statement } from './statements';
import type { Warning } from '../identity';

export type WarningRow = typeof ingestionWarnings.$inferInsert;

export function warningRowsOf(
  projectId: number,
  eventUuid: string | null,
  warnings: Warning[],
  timestamp?: string,
): WarningRow[] {
  // Called for every stored event, nearly always with no warning: no clock read then.
  if (warnings.length === 0) return [];
  const at = timestamp ?? new Date().toISOString();
  return warnings.map((w) => ({ projectId, type: w.type, details: w.details, eventUuid, timestamp: at }));
}

/** Warnings go in like events: one JSON array per statement, `details` as its JSON text. */
const insertWarningsText = `INSERT INTO ingestion_warnings (project_id, type, details, event_uuid, timestamp)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4
  FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;

const warningRowJson = (r: WarningRow) =>
  JSON.stringify([r.projectId, r.type, JSON.stringify(r.details), r.eventUuid ?? null, r.timestamp]);

/** Warning rows, stored once per (project, event, type): a warning about a re-sent event is ignored. */
export const insertWarnings = (db: Db, rows: WarningRow[]): Statement[] =>
  jsonArrayStatements(db, insertWarningsText, rows.map(warningRowJson));

/** Stores warnings on their own, outside any person's batch. */
export const writeWarnings = (db: Db, rows: WarningRow[]): Promise<void> =>
  writeInBatches(db, insertWarnings(db, rows));
