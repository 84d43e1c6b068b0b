import type { Db } from '../db/client';
import { writeInBatches } from '../db/statements';
import { insertEvents, type EventRow } from '../db/event-writes';
import { isCookielessPlaceholder, personProcessingOf, type PersonProcessing, type Warning } from '../identity';
import type { CapturedEvent, IngestMessage } from '../queue/message';
import { insertWarnings, warningRowsOf, type WarningRow } from '../db/warning-writes';

/**
 * The rules every consumed event goes through, live (ingest-project.ts) or
 * dead-lettered (dead-letters.ts): what is only warned about, what was stored
 * already, and how the rows that need no person's batch are written.
 */

/**
 * Accepted events that are not stored, only warned about: dropped at capture
 * (the warning travels with the event), or carrying a cookieless placeholder
 * distinct id, which must never become a person's id (e.g. queued before the
 * project's cookieless mode applied at capture).
 */
function refusalOf(event: CapturedEvent): Warning | null {
  if (event.dropped) return event.dropped;
  if (isCookielessPlaceholder(event.distinct_id)) {
    return {
      type: 'cookieless_placeholder_distinct_id',
      details: { distinctId: event.distinct_id, event: event.event, eventUuid: event.uuid },
    };
  }
  return null;
}

/** Splits events into the refused (their warnings) and the accepted, in order. */
export function refuse<T extends { event: CapturedEvent }>(
  projectId: number,
  items: T[],
): { refused: WarningRow[]; accepted: T[] } {
  const refused: WarningRow[] = [];
  const accepted: T[] = [];
  for (const item of items) {
    const refusal = refusalOf(item.event);
    if (refusal) refused.push(...warningRowsOf(projectId, item.event.uuid, [refusal]));
    else accepted.push(item);
  }
  return { refused, accepted };
}

/**
 * The accepted events still to store, with their person processing; events the
 * rules never store ($$client_ingestion_warning, person-only events sent
 * person-less) leave only their warnings, and events stored already are skipped.
 */
export function toStore<T extends { event: CapturedEvent }>(
  projectId: number,
  accepted: T[],
  storedUuids: Set<string>,
): { warnings: WarningRow[]; kept: (T & { processing: PersonProcessing })[] } {
  const warnings: WarningRow[] = [];
  const kept: (T & { processing: PersonProcessing })[] = [];
  for (const item of accepted) {
    if (storedUuids.has(item.event.uuid)) continue;
    const processing = personProcessingOf(item.event);
    if (processing.drop) warnings.push(...warningRowsOf(projectId, item.event.uuid, processing.warnings));
    else kept.push({ ...item, processing });
  }
  return { warnings, kept };
}

/** The warnings capture sent with a message (about events it dropped), as rows. */
export const captureWarningRows = (projectId: number, message: IngestMessage): WarningRow[] =>
  (message.warnings ?? []).flatMap((w) => warningRowsOf(projectId, w.eventUuid, [w]));

/** Stores rows that need no person's batch (person-less events, warnings): unguarded, in bounded batches. */
export const storeRows = (db: Db, events: EventRow[], warnings: WarningRow[]): Promise<void> =>
  writeInBatches(db, [...insertEvents(db, events), ...insertWarnings(db, warnings)]);
