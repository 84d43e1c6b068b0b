// Seeds D1 directly (drizzle inserts), so REST reads are tested without the ingestion pipeline.
import type { PropertyWrites } from '../../src/identity';
import { events, ingestionWarnings, personDistinctIds, personMerges, persons } from '../../src/db/schema';
import { dbFor } from './worker';

/** D1 binds at most 100 parameters per statement. */
function chunks<T>(rows: T[], perRow: number): T[][] {
  const size = Math.max(1, Math.floor(100 / perRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export interface SeedPerson {
  id?: string;
  distinctIds: string[];
  properties?: Record<string, unknown>;
  propertyWrites?: PropertyWrites;
  isIdentified?: boolean;
  createdAt?: string;
  version?: number;
}

export async function seedPerson(projectId: number, p: SeedPerson): Promise<string> {
  const db = await dbFor(projectId);
  const id = p.id ?? crypto.randomUUID();
  await db.insert(persons).values({
    id,
    projectId,
    properties: p.properties ?? {},
    propertyWrites: p.propertyWrites ?? {},
    isIdentified: p.isIdentified ?? false,
    createdAt: p.createdAt ?? new Date().toISOString(),
    version: p.version ?? 0,
  });
  // One insert per id keeps rowid order = the given order.
  for (const distinctId of p.distinctIds)
    await db.insert(personDistinctIds).values({ projectId, distinctId, personId: id });
  return id;
}

export interface SeedEvent {
  uuid?: string;
  event?: string;
  distinctId: string;
  personIdAtIngest?: string;
  properties?: Record<string, unknown>;
  timestamp: string;
}

/** Returns the events' uuids in the given order. */
export async function seedEvents(projectId: number, rows: SeedEvent[]): Promise<string[]> {
  const db = await dbFor(projectId);
  const values = rows.map((e) => ({
    projectId,
    uuid: e.uuid ?? crypto.randomUUID(),
    event: e.event ?? '$pageview',
    distinctId: e.distinctId,
    personIdAtIngest: e.personIdAtIngest ?? crypto.randomUUID(),
    properties: e.properties ?? {},
    timestamp: e.timestamp,
  }));
  for (const part of chunks(values, 7)) await db.insert(events).values(part);
  return values.map((v) => v.uuid);
}

export async function seedWarnings(
  projectId: number,
  rows: { type: string; details?: Record<string, unknown>; eventUuid?: string | null; timestamp: string }[],
): Promise<void> {
  const db = await dbFor(projectId);
  const values = rows.map((w) => ({
    projectId,
    type: w.type,
    details: w.details ?? {},
    eventUuid: w.eventUuid === undefined ? crypto.randomUUID() : w.eventUuid,
    timestamp: w.timestamp,
  }));
  for (const part of chunks(values, 5)) await db.insert(ingestionWarnings).values(part);
}

export async function seedHistory(
  projectId: number,
  row: {
    kind: string;
    source: string;
    target: string;
    at: string;
    eventUuid?: string | null;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const db = await dbFor(projectId);
  await db.insert(personMerges).values({
    id: crypto.randomUUID(),
    projectId,
    sourcePersonId: row.source,
    targetPersonId: row.target,
    kind: row.kind,
    eventUuid: row.eventUuid ?? null,
    details: row.details ?? null,
    at: row.at,
  });
}

/** `2024-01-01T00:00:00.000Z` plus `minutes`. */
export const at = (minutes: number) => new Date(Date.UTC(2024, 0, 1) + minutes * 60_000).toISOString();
