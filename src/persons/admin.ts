import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { uuidFromDistinctId } from '../identity';
import { guard, statementOf, writeAtomically, type Statement } from '../db/statements';
import { guardUnchanged } from './writes';

/**
 * Dashboard-side person writes (split, delete), under the invariant of
 * writes.ts: persons are also written by their PersonDO at the same time, so
 * each write here is one atomic batch guarded on what was read, retried on a
 * refusal. Split bumps the person's version so its object's cached copy fails
 * its own guard and reloads.
 */

type AdminOutcome = 'done' | 'person_not_found' | 'busy';
type SplitOutcome = AdminOutcome | 'unknown_main_distinct_id';

const ATTEMPTS = 5;
/** Moves per statement: keeps each JSON parameter small. */
const MOVES_PER_STATEMENT = 500;

const guardVersion = (db: Db, projectId: number, personId: string, version: number) =>
  guardUnchanged(db, projectId, { versions: [[personId, version]] });

async function readPerson(db: Db, projectId: number, personId: string) {
  const person = await db.get<{ version: number }>(
    sql`SELECT version FROM persons WHERE id = ${personId} AND project_id = ${projectId}`,
  );
  if (!person) return undefined;
  const ids = await db.all<{ distinct_id: string }>(
    sql`SELECT distinct_id FROM person_distinct_ids
      WHERE project_id = ${projectId} AND person_id = ${personId} ORDER BY rowid`,
  );
  return { version: person.version, distinctIds: ids.map((r) => r.distinct_id) };
}

/**
 * Deletes the person and its distinct ids (and, with `deleteEvents`, every event
 * sent under those distinct ids). The history rows that describe how this person
 * came to be (merges and identifications into it, the split that created it) go
 * too; splits out of it stay, since they describe other persons.
 */
export async function deletePerson(
  db: Db,
  projectId: number,
  personId: string,
  options: { deleteEvents: boolean },
): Promise<AdminOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const person = await readPerson(db, projectId, personId);
    if (!person) return 'person_not_found';
    const deletes = [
      ...(options.deleteEvents
        ? [
            sql`DELETE FROM events WHERE project_id = ${projectId} AND distinct_id IN
              (SELECT distinct_id FROM person_distinct_ids
                WHERE project_id = ${projectId} AND person_id = ${personId})`,
          ]
        : []),
      sql`DELETE FROM person_merges WHERE project_id = ${projectId} AND target_person_id = ${personId}`,
      sql`DELETE FROM person_distinct_ids WHERE project_id = ${projectId} AND person_id = ${personId}`,
      sql`DELETE FROM persons WHERE id = ${personId} AND project_id = ${projectId}`,
    ];
    const statements = [
      ...guardVersion(db, projectId, personId, person.version),
      ...deletes.map((q) => statementOf(db, q)),
    ];
    if (await writeAtomically(db, statements)) return 'done';
  }
  return 'busy';
}

interface Move {
  /** the distinct id leaving the person */
  d: string;
  /** its new person */
  p: string;
  /** the split's history row */
  m: string;
}

/** Which of these person ids already have a person row (in any project: the id is the primary key). */
async function takenPersonIds(db: Db, ids: string[]): Promise<Set<string>> {
  const rows = await db.all<{ id: string }>(
    sql`SELECT id FROM persons WHERE id IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
  );
  return new Set(rows.map((r) => r.id));
}

function splitStatements(db: Db, projectId: number, personId: string, moves: Move[], now: string): Statement[] {
  const json = JSON.stringify(moves);
  // Every id we are about to move must still be this person's.
  const idsStillHers = guard(
    db,
    sql`(SELECT count(*) FROM person_distinct_ids WHERE project_id = ${projectId} AND person_id = ${personId}
          AND distinct_id IN (SELECT json_extract(value, '$.d') FROM json_each(${json}))) = ${moves.length}`,
  );
  const writes = [
    sql`INSERT INTO persons (id, project_id, properties, is_identified, created_at, version)
      SELECT json_extract(value, '$.p'), ${projectId}, '{}', 0, ${now}, 0 FROM json_each(${json})`,
    sql`UPDATE person_distinct_ids
      SET person_id = (SELECT json_extract(j.value, '$.p') FROM json_each(${json}) j
        WHERE json_extract(j.value, '$.d') = person_distinct_ids.distinct_id)
      WHERE project_id = ${projectId} AND person_id = ${personId}
        AND distinct_id IN (SELECT json_extract(value, '$.d') FROM json_each(${json}))`,
    sql`INSERT INTO person_merges (id, project_id, source_person_id, target_person_id, kind, event_uuid, details, at)
      SELECT json_extract(value, '$.m'), ${projectId}, ${personId}, json_extract(value, '$.p'), 'split', NULL,
        json_object('distinct_id', json_extract(value, '$.d')), ${now}
      FROM json_each(${json})`,
  ];
  return [idsStillHers, ...writes.map((q) => statementOf(db, q))];
}

/**
 * Spec §6: the person keeps `mainDistinctId` (else its oldest distinct id);
 * every other distinct id moves to a new person of its own, with no properties,
 * not identified, created now. A new person takes `uuidFromDistinctId` of its
 * distinct id unless a person row already has that id.
 */
export async function splitPerson(
  db: Db,
  projectId: number,
  personId: string,
  mainDistinctId: string | undefined,
): Promise<SplitOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const person = await readPerson(db, projectId, personId);
    if (!person) return 'person_not_found';
    if (mainDistinctId !== undefined && !person.distinctIds.includes(mainDistinctId)) return 'unknown_main_distinct_id';
    const keep = mainDistinctId ?? person.distinctIds[0];
    const leaving = person.distinctIds.filter((d) => d !== keep);
    if (leaving.length === 0) return 'done';

    const preferred = leaving.map((d) => uuidFromDistinctId(projectId, d));
    const taken = await takenPersonIds(db, preferred);
    const moves: Move[] = leaving.map((d, i) => ({
      d,
      p: taken.has(preferred[i]!) ? crypto.randomUUID() : preferred[i]!,
      m: crypto.randomUUID(),
    }));
    const now = new Date().toISOString();
    const statements: Statement[] = [...guardVersion(db, projectId, personId, person.version)];
    for (let i = 0; i < moves.length; i += MOVES_PER_STATEMENT) {
      statements.push(...splitStatements(db, projectId, personId, moves.slice(i, i + MOVES_PER_STATEMENT), now));
    }
    statements.push(statementOf(db, sql`UPDATE persons SET version = version + 1 WHERE id = ${personId}`));
    if (await writeAtomically(db, statements)) return 'done';
  }
  return 'busy';
}
