import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertEvents, type EventRow } from '../../src/db/event-writes';
import { encodePropertyWrites } from '../../src/db/property-writes-column';
import { insertPersons, updatePersons, type PersonRow } from '../../src/persons/writes';
import { writeInBatches } from '../../src/db/statements';
import { dbFor, newProject } from '../support';

/** Property objects as SDKs send them: any JSON, odd numbers and escapes included. */
const properties = fc.dictionary(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(1e21, 1e-7, -0, 2 ** 60, 1.0000000000000002, 5e-324, 'é"\\\n\u2028\u0000😀', '\ud800'),
  ),
  { maxKeys: 8 },
);

describe('JSON columns', () => {
  it('store properties as the JSON text JSON.stringify gives them, byte for byte', async () => {
    const p = await newProject('event properties text');
    const db = await dbFor(p.id);
    const samples = fc.sample(properties, { numRuns: 300, seed: 27 });
    const rows: EventRow[] = samples.map((props, i) => ({
      projectId: p.id,
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      event: 'e',
      distinctId: 'd',
      personIdAtIngest: 'person',
      properties: props,
      timestamp: '2026-01-01T00:00:00.000Z',
    }));
    await writeInBatches(db, insertEvents(db, rows));
    const stored = await db.$client
      .prepare('SELECT uuid, properties FROM events WHERE project_id = ? ORDER BY uuid')
      .bind(p.id)
      .all<{ uuid: string; properties: string }>();
    expect(stored.results.map((r) => r.properties)).toEqual(samples.map((props) => JSON.stringify(props)));
  });

  it('store person properties and property times as their JSON text, inserted and updated', async () => {
    const p = await newProject('person properties text');
    const db = await dbFor(p.id);
    const samples = fc.sample(properties, { numRuns: 100, seed: 28 });
    const rowOf = (props: Record<string, unknown>, i: number, version: number): PersonRow => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}-${p.id}`,
      projectId: p.id,
      properties: props,
      propertyWrites: Object.fromEntries(
        Object.keys(props).map((key, k) => [key, { t: `2026-01-0${(k % 9) + 1}T00:00:00.000Z`, op: 'set' as const }]),
      ),
      isIdentified: false,
      createdAt: '2026-01-01T00:00:00.000Z',
      version,
    });
    const stored = async () =>
      (
        await db.$client
          .prepare('SELECT properties, property_writes FROM persons WHERE project_id = ? ORDER BY id')
          .bind(p.id)
          .all<{ properties: string; property_writes: string }>()
      ).results;
    const expected = (rows: PersonRow[]) =>
      rows.map((r) => ({
        properties: JSON.stringify(r.properties),
        property_writes: encodePropertyWrites(r.propertyWrites),
      }));

    const inserted = samples.map((props, i) => rowOf(props, i, 0));
    await writeInBatches(db, insertPersons(db, inserted));
    expect(await stored()).toEqual(expected(inserted));
    const updated = samples.map((_, i) => rowOf(samples[(i + 1) % samples.length]!, i, 1));
    await writeInBatches(db, updatePersons(db, updated));
    expect(await stored()).toEqual(expected(updated));
  });
});
