import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertEvents, type EventRow } from '../../src/db/event-writes';
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

describe('event rows', () => {
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
});
