import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { events, personDistinctIds, persons } from '../db/schema';
import type { PersonRow } from './writes';

export async function loadPerson(db: Db, id: string): Promise<PersonRow | undefined> {
  return db.select().from(persons).where(eq(persons.id, id)).get();
}

/** Several persons in one read, by id. */
export async function loadPersons(db: Db, ids: string[]): Promise<Map<string, PersonRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select().from(persons).where(inArray(persons.id, ids));
  return new Map(rows.map((row) => [row.id, row]));
}

/** Who owns which distinct ids, as the consumer tracks it between steps. */
export interface Owners {
  /** distinct id → person id, for the ids that have a person. */
  owners: Map<string, string>;
  /** person id → the version last seen: the caller's expectation, sent with each step. */
  versions: Map<string, number>;
}

export interface IngestState extends Owners {
  storedUuids: Set<string>;
  /** The owners' rows, as read (only with `rows: true`): what the batched commit plans against. */
  persons: Map<string, PersonRow>;
}

/**
 * One round trip: which of `uuids` are already stored, who owns each of
 * `distinctIds` now and at which version, and (with `rows`) those persons' rows.
 */
/** The values of a JSON array, as a subquery for `IN`. */
const jsonValues = (json: string) => sql`(SELECT value FROM json_each(${json}))`;

/** Lists as JSON arrays of at most about 500,000 characters each (D1 limits a bound value to 2 MB). */
function chunkJson(values: string[]): string[] {
  const parts: string[] = [];
  let part: string[] = [];
  let chars = 0;
  for (const value of values) {
    const json = JSON.stringify(value);
    if (part.length > 0 && chars + json.length > 500_000) {
      parts.push(`[${part.join(',')}]`);
      part = [];
      chars = 0;
    }
    part.push(json);
    chars += json.length + 1;
  }
  if (part.length > 0) parts.push(`[${part.join(',')}]`);
  return parts;
}

export async function readIngestState(
  db: Db,
  projectId: number,
  uuids: string[],
  distinctIds: string[],
  { rows = true }: { rows?: boolean } = {},
): Promise<IngestState> {
  // Each id list travels as one JSON array (`json_each`): one statement, not one per 99 ids.
  const uuidQueries = chunkJson(uuids).map((list) =>
    db.select({ uuid: events.uuid }).from(events).where(and(eq(events.projectId, projectId), inArray(events.uuid, jsonValues(list)))),
  );
  const ownerQueries = chunkJson(distinctIds).map((list) => {
    const where = and(eq(personDistinctIds.projectId, projectId), inArray(personDistinctIds.distinctId, jsonValues(list)));
    const from = (person: typeof persons | { id: typeof persons.id; version: typeof persons.version }) =>
      db
        .select({ distinctId: personDistinctIds.distinctId, person })
        .from(personDistinctIds)
        .innerJoin(persons, eq(persons.id, personDistinctIds.personId))
        .where(where);
    return rows ? from(persons) : from({ id: persons.id, version: persons.version });
  });
  const state: IngestState = { storedUuids: new Set(), owners: new Map(), versions: new Map(), persons: new Map() };
  const queries = [...uuidQueries, ...ownerQueries];
  if (queries.length === 0) return state;
  const results = (await db.batch(queries as unknown as [BatchItem<'sqlite'>])) as unknown[][];
  results.forEach((found, i) => {
    if (i < uuidQueries.length) {
      for (const row of found as { uuid: string }[]) state.storedUuids.add(row.uuid);
      return;
    }
    for (const { distinctId, person } of found as { distinctId: string; person: PersonRow }[]) {
      state.owners.set(distinctId, person.id);
      state.versions.set(person.id, person.version);
      if (rows) state.persons.set(person.id, person);
    }
  });
  return state;
}
