import { and, eq, inArray, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { jsonArrays } from '../db/chunk';
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

/** Ids as JSON arrays, each a subquery for `IN` (one statement per array, not one per 99 ids). */
const idLists = (ids: string[]) =>
  jsonArrays(ids.map((id) => JSON.stringify(id))).map((json) => sql`(SELECT value FROM json_each(${json}))`);

/**
 * One round trip: which of `uuids` are already stored, who owns each of
 * `distinctIds` now and at which version, and (with `rows`) those persons' rows.
 */
export async function readIngestState(
  db: Db,
  projectId: number,
  uuids: string[],
  distinctIds: string[],
  { rows = true }: { rows?: boolean } = {},
): Promise<IngestState> {
  const uuidQueries = idLists(uuids).map((list) =>
    db
      .select({ uuid: events.uuid })
      .from(events)
      .where(and(eq(events.projectId, projectId), inArray(events.uuid, list))),
  );
  const ownerQueries = idLists(distinctIds).map((list) => {
    const where = and(eq(personDistinctIds.projectId, projectId), inArray(personDistinctIds.distinctId, list));
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
