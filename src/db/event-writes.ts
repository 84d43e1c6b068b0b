/**
 * Every insert of events: the statements that store event rows, in a person's
 * batch or on their own (person-less events). The row an ingested event becomes
 * is persons/event-rows.ts.
 */
import type { Db } from './client';
import type { events } from './schema';
import { jsonArrayStatements, type Statement } from './statements';

export type EventRow = typeof events.$inferInsert;

/**
 * Events go in as one JSON array per statement (`json_each`). Each row is an
 * array in column order; `properties` travels as the object itself and is
 * stored as its JSON text (`value -> 5`: SQLite gives the text of that part as
 * written, which is JSON.stringify's), not as a string inside the row's JSON:
 * that escaped every quote of the properties a second time.
 */
const insertEventsText = `INSERT INTO events (project_id, uuid, event, distinct_id, person_id_at_ingest, properties,
    timestamp, group_0, group_1, group_2, group_3, group_4)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value -> 5, value ->> 6, value ->> 7,
    value ->> 8, value ->> 9, value ->> 10, value ->> 11
  FROM json_each(?) WHERE true ON CONFLICT DO NOTHING`;

const eventRowJson = (r: EventRow) =>
  JSON.stringify([
    r.projectId,
    r.uuid,
    r.event,
    r.distinctId,
    r.personIdAtIngest,
    r.properties,
    r.timestamp,
    r.group0 ?? null,
    r.group1 ?? null,
    r.group2 ?? null,
    r.group3 ?? null,
    r.group4 ?? null,
  ]);

/** Event rows, stored once per (project, uuid): a re-sent event is ignored. */
export const insertEvents = (db: Db, rows: EventRow[]): Statement[] =>
  jsonArrayStatements(db, insertEventsText, rows.map(eventRowJson));
