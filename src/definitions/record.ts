/**
 * The one writer of event and property definitions: after a batch is stored,
 * what it showed that this isolate has not written yet goes to D1 in a few
 * statements (one JSON array each, `INSERT … ON CONFLICT`). Names already known
 * cost nothing, so a steady stream of familiar events writes no definition at
 * all; an event name's `last_seen_at` moves at most once an hour per isolate.
 */
import type { Db } from '../db/client';
import { jsonArrayStatements, writeInBatches } from '../db/statements';
import { groupTypeIndexes } from '../groups/type-mapping';
import { collectDefinitions, propertyKey, type DefinitionSource } from './collect';

const HOUR_MS = 3_600_000;
/** Entries kept per isolate before the cache starts over (a forgotten name costs one idempotent write). */
const MAX_CACHED = 200_000;

/**
 * Per isolate, keyed by project and name: for an event name the hour of
 * `last_seen_at` written; for a property whether its type is known (an untyped
 * one is written again once a typed value shows up); for a pair, true.
 */
const written = new Map<string, string | boolean>();

const hourOf = (timestamp: string) => new Date(Math.floor(Date.parse(timestamp) / HOUR_MS) * HOUR_MS).toISOString();

const insertEventDefinitions = `INSERT INTO event_definitions (project_id, name, id, created_at, last_seen_at)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?) WHERE true
  ON CONFLICT (project_id, name) DO UPDATE SET last_seen_at = excluded.last_seen_at
  WHERE excluded.last_seen_at > event_definitions.last_seen_at`;

const insertPropertyDefinitions = `INSERT INTO property_definitions
    (project_id, type, group_type_index, name, id, property_type)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5 FROM json_each(?) WHERE true
  ON CONFLICT (project_id, type, group_type_index, name) DO UPDATE SET property_type = excluded.property_type
  WHERE property_definitions.property_type IS NULL AND excluded.property_type IS NOT NULL`;

const insertEventProperties = `INSERT INTO event_properties (project_id, event, property)
  SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;

/** Records the definitions `events` (stored, kept events of one project) show. Returns the rows it wrote. */
export async function recordDefinitions(
  db: Db,
  projectId: number,
  events: readonly DefinitionSource[],
  nowMs: number,
): Promise<number> {
  const groupTypes = events.flatMap((e) =>
    e.event === '$groupidentify' && typeof e.properties.$group_type === 'string' ? [e.properties.$group_type] : [],
  );
  const mapping = groupTypes.length > 0 ? await groupTypeIndexes(db, projectId, groupTypes) : new Map<string, number>();
  const batch = collectDefinitions(events, (type) => mapping.get(type), nowMs);
  const now = new Date(nowMs).toISOString();
  const learned = new Map<string, string | boolean>();

  const eventRows: string[] = [];
  for (const [name, latest] of batch.events) {
    const key = `${projectId}\u0000e\u0000${name}`;
    const hour = hourOf(latest);
    const known = written.get(key);
    if (typeof known === 'string' && known >= hour) continue;
    eventRows.push(JSON.stringify([projectId, name, crypto.randomUUID(), now, hour]));
    learned.set(key, hour);
  }
  const propertyRows: string[] = [];
  for (const row of batch.properties.values()) {
    const key = `${projectId}\u0000p\u0000${propertyKey(row)}`;
    const known = written.get(key);
    if (known === true || (known === false && row.propertyType === null)) continue;
    propertyRows.push(
      JSON.stringify([projectId, row.type, row.groupTypeIndex, row.name, crypto.randomUUID(), row.propertyType]),
    );
    learned.set(key, row.propertyType !== null);
  }
  const pairRows: string[] = [];
  for (const [pair, { event, property }] of batch.eventProperties) {
    const key = `${projectId}\u0000ep\u0000${pair}`;
    if (written.has(key)) continue;
    pairRows.push(JSON.stringify([projectId, event, property]));
    learned.set(key, true);
  }

  const statements = [
    ...jsonArrayStatements(db, insertEventDefinitions, eventRows),
    ...jsonArrayStatements(db, insertPropertyDefinitions, propertyRows),
    ...jsonArrayStatements(db, insertEventProperties, pairRows),
  ];
  if (statements.length === 0) return 0;
  await writeInBatches(db, statements);
  if (written.size + learned.size > MAX_CACHED) written.clear();
  for (const [key, value] of learned) written.set(key, value);
  return eventRows.length + propertyRows.length + pairRows.length;
}
