import { describe, expect, it } from 'vitest';
import { mergeRequestOf } from '../../src/identity';
import { dbOf } from '../../src/db/client';
import { writeAtomically } from '../../src/db/statements';
import { independentGroups } from '../../src/ingest/person-groups';
import { commitGroupsAtOnce } from '../../src/ingest/run-groups';
import { loadPerson, readIngestState } from '../../src/persons/ingest-state';
import {
  claimDistinctIds,
  guardUnchanged,
  insertPersons,
  updatePersons,
  type PersonRow,
} from '../../src/persons/writes';
import { env } from '../support';

// Guards work on any shard; these use the second (no project: ids are unique per test).
const db = dbOf(env.SHARD_1);

const insertPerson = (row: PersonRow) => insertPersons(db, [row])[0]!;
const updatePerson = (row: PersonRow) => updatePersons(db, [row])[0]!;
const claim = (projectId: number, distinctId: string, personId: string) =>
  claimDistinctIds(db, [{ projectId, distinctId, personId }])[0]!;

const person = (id: string, version = 0) => ({
  id,
  projectId: 4242,
  properties: { a: 1 },
  propertyWrites: {},
  isIdentified: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  version,
});

it('a stale version guard refuses the whole batch and reports a conflict', async () => {
  const id = crypto.randomUUID();
  expect(await writeAtomically(db, [insertPerson(person(id)), claim(4242, `d-${id}`, id)])).toBe(true);
  const stale = await writeAtomically(db, [
    updatePerson({ ...person(id, 1), properties: { a: 'first' } }),
    ...guardUnchanged(db, 4242, { versions: [[id, 5]] }),
  ]);
  expect(stale).toBe(false);
  expect((await loadPerson(db, id))?.properties).toEqual({ a: 1 });
  const fresh = await writeAtomically(db, [
    ...guardUnchanged(db, 4242, { versions: [[id, 0]], owners: [[`d-${id}`, id]] }),
    updatePerson(person(id, 1)),
  ]);
  expect(fresh).toBe(true);
  expect((await loadPerson(db, id))?.version).toBe(1);
});

it('claiming a distinct id someone owns is a conflict, and nothing of the batch stays', async () => {
  const a = crypto.randomUUID();
  const b = crypto.randomUUID();
  await writeAtomically(db, [insertPerson(person(a)), claim(4242, `shared-${a}`, a)]);
  const lost = await writeAtomically(db, [insertPerson(person(b)), claim(4242, `shared-${a}`, b)]);
  expect(lost).toBe(false);
  expect(await loadPerson(db, b)).toBeUndefined();
  const wrongOwner = await writeAtomically(db, guardUnchanged(db, 4242, { owners: [[`shared-${a}`, b]] }));
  expect(wrongOwner).toBe(false);
  // One failing expectation among several refuses the batch too.
  const mixed = await writeAtomically(
    db,
    guardUnchanged(db, 4242, {
      versions: [[a, 0]],
      owners: [
        [`shared-${a}`, a],
        [`shared-${a}`, b],
      ],
    }),
  );
  expect(mixed).toBe(false);
  const allHold = await writeAtomically(
    db,
    guardUnchanged(db, 4242, { versions: [[a, 0]], owners: [[`shared-${a}`, a]] }),
  );
  expect(allHold).toBe(true);
  expect(wrongOwner).toBe(false);
});

it('many persons and claims in one statement each: one taken id among them refuses the whole batch', async () => {
  const ids = Array.from({ length: 50 }, () => crypto.randomUUID());
  const taken = crypto.randomUUID();
  expect(await writeAtomically(db, [insertPerson(person(taken)), claim(4242, `taken-${taken}`, taken)])).toBe(true);
  const claims = ids.map((id) => ({ projectId: 4242, distinctId: `bulk-${id}`, personId: id }));
  const refused = await writeAtomically(db, [
    ...insertPersons(
      db,
      ids.map((id) => person(id)),
    ),
    ...claimDistinctIds(db, [
      ...claims.slice(0, 25),
      { projectId: 4242, distinctId: `taken-${taken}`, personId: ids[25]! },
      ...claims.slice(25),
    ]),
  ]);
  expect(refused).toBe(false);
  for (const id of [ids[0]!, ids[49]!]) expect(await loadPerson(db, id)).toBeUndefined();
  // Two claims of one id in the same statement are a conflict too.
  const twice = await writeAtomically(db, [
    ...insertPersons(db, [person(ids[0]!)]),
    ...claimDistinctIds(db, [claims[0]!, { ...claims[0]!, personId: ids[1]! }]),
  ]);
  expect(twice).toBe(false);
  expect(
    await writeAtomically(db, [
      ...insertPersons(
        db,
        ids.map((id) => person(id)),
      ),
      ...claimDistinctIds(db, claims),
    ]),
  ).toBe(true);
  const stored = await Promise.all(ids.map((id) => loadPerson(db, id)));
  expect(stored.map((p) => p?.id)).toEqual(ids);
  expect(
    stored.every((p) => p?.version === 0 && p.isIdentified === false && JSON.stringify(p.properties) === '{"a":1}'),
  ).toBe(true);
  const owners = await db.$client
    .prepare(
      `SELECT distinct_id, person_id FROM person_distinct_ids
        WHERE project_id = 4242 AND distinct_id IN (SELECT value FROM json_each(?))`,
    )
    .bind(JSON.stringify(claims.map((c) => c.distinctId)))
    .all<{ distinct_id: string; person_id: string }>();
  expect(new Map(owners.results.map((r) => [r.distinct_id, r.person_id]))).toEqual(
    new Map(claims.map((c) => [c.distinctId, c.personId])),
  );
});

describe('the batched commit', () => {
  const projectId = 4243;
  const event = (
    distinctId: string,
    set: Record<string, unknown>,
    extra: Record<string, unknown> = {},
    name = 'clicked',
  ) => ({
    uuid: crypto.randomUUID(),
    event: name,
    distinct_id: distinctId,
    properties: { $set: set, ...extra },
    timestamp: new Date().toISOString(),
  });
  const planned = (e: ReturnType<typeof event>) => ({ item: { event: e, warnings: [] }, merge: mergeRequestOf(e) });
  const storedEvents = async (uuids: string[]) =>
    (await db.$client
      .prepare(`SELECT count(*) AS n FROM events WHERE project_id = ? AND uuid IN (SELECT value FROM json_each(?))`)
      .bind(projectId, JSON.stringify(uuids))
      .first<{ n: number }>())!.n;

  it('checks what it read once, at the start, and writes nothing when any of it moved', async () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    const [da, dbId, anon] = [`a-${a}`, `b-${b}`, `anon-${a}`];
    await writeAtomically(db, [
      insertPerson({ ...person(a), projectId }),
      claim(projectId, da, a),
      insertPerson({ ...person(b), projectId }),
      claim(projectId, dbId, b),
    ]);
    // a: an update, a merge of a new anonymous id, another update (three steps on one person); b: one update.
    const events = [
      event(da, { step: 1 }),
      event(da, {}, { $anon_distinct_id: anon }, '$identify'),
      event(da, { step: 3 }),
      event(dbId, { seen: true }),
    ];
    const uuids = events.map((e) => e.uuid);
    const read = async () => readIngestState(db, projectId, uuids, [da, dbId, anon]);
    const groups = async () => independentGroups(events.map(planned), (await read()).owners);

    const stale = await read();
    // Another writer moves b on after the read.
    await writeAtomically(db, updatePersons(db, [{ ...person(b, 1), projectId, properties: { other: 'writer' } }]));
    expect(await commitGroupsAtOnce(db, projectId, stale, await groups())).toBe(false);
    expect(await storedEvents(uuids)).toBe(0);
    expect((await loadPerson(db, a))?.version).toBe(0);

    const fresh = await read();
    expect(await commitGroupsAtOnce(db, projectId, fresh, await groups())).toBe(true);
    expect(await storedEvents(uuids)).toBe(4);
    expect((await loadPerson(db, a))?.properties).toMatchObject({ a: 1, step: 3 });
    expect((await loadPerson(db, a))?.isIdentified).toBe(true);
    expect((await loadPerson(db, b))?.properties).toMatchObject({ other: 'writer', seen: true });
    expect((await readIngestState(db, projectId, [], [anon])).owners.get(anon)).toBe(a);
  });
});
