import { expect, it } from 'vitest';
import { claimDistinctId, guardUnchanged, insertPerson, updatePerson, writeAtomically } from '../../src/persons/writes';
import { loadPerson } from '../../src/persons/reads';
import { dbOf } from '../../src/db/client';
import { env } from '../support';

// Guards work on any shard; these use the second (no project: ids are unique per test).
const db = dbOf(env.SHARD_1);

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
  expect(await writeAtomically(db, [insertPerson(db, person(id)), claimDistinctId(db, 4242, `d-${id}`, id)])).toBe(true);
  const stale = await writeAtomically(db, [
    updatePerson(db, { ...person(id, 1), properties: { a: 'first' } }),
    ...guardUnchanged(db, 4242, { versions: [[id, 5]] }),
  ]);
  expect(stale).toBe(false);
  expect((await loadPerson(db, id))?.properties).toEqual({ a: 1 });
  const fresh = await writeAtomically(db, [
    ...guardUnchanged(db, 4242, { versions: [[id, 0]], owners: [[`d-${id}`, id]] }),
    updatePerson(db, person(id, 1)),
  ]);
  expect(fresh).toBe(true);
  expect((await loadPerson(db, id))?.version).toBe(1);
});

it('claiming a distinct id someone owns is a conflict, and nothing of the batch stays', async () => {
  const a = crypto.randomUUID();
  const b = crypto.randomUUID();
  await writeAtomically(db, [insertPerson(db, person(a)), claimDistinctId(db, 4242, `shared-${a}`, a)]);
  const lost = await writeAtomically(db, [insertPerson(db, person(b)), claimDistinctId(db, 4242, `shared-${a}`, b)]);
  expect(lost).toBe(false);
  expect(await loadPerson(db, b)).toBeUndefined();
  const wrongOwner = await writeAtomically(db, guardUnchanged(db, 4242, { owners: [[`shared-${a}`, b]] }));
  expect(wrongOwner).toBe(false);
  // One failing expectation among several refuses the batch too.
  const mixed = await writeAtomically(db, guardUnchanged(db, 4242, { versions: [[a, 0]], owners: [[`shared-${a}`, a], [`shared-${a}`, b]] }));
  expect(mixed).toBe(false);
  const allHold = await writeAtomically(db, guardUnchanged(db, 4242, { versions: [[a, 0]], owners: [[`shared-${a}`, a]] }));
  expect(allHold).toBe(true);
  expect(wrongOwner).toBe(false);
});
