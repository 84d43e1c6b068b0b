import { expect, it } from 'vitest';
import { MAX_PERSON_PROPERTIES_BYTES } from '../../src/identity';
import { newProject, ev, eventRow, ingestInOrder, personOf, warningsOf } from '../support';

it('refuses a $set growing person properties past the limit, with a warning; the event is still stored', async () => {
  const p = await newProject();
  const chunk = 'x'.repeat(100_000);
  const fits = Math.floor(MAX_PERSON_PROPERTIES_BYTES / 100_000);
  const events = Array.from({ length: fits + 1 }, (_, i) => ev('$set', 'big', { $set: { [`k${i}`]: chunk } }));
  await ingestInOrder(p, events);
  const person = (await personOf(p.id, 'big'))!;
  const keys = Object.keys(person.properties).filter((k) => k.startsWith('k'));
  expect(keys).toHaveLength(fits);
  expect(person.properties).not.toHaveProperty(`k${fits}`);
  const last = events.at(-1)!;
  expect(await eventRow(p.id, last.uuid)).toBeDefined();
  const warnings = await warningsOf(p.id);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatchObject({
    type: 'person_properties_size_violation',
    eventUuid: last.uuid,
    details: { personId: person.id, distinctId: 'big', eventUuid: last.uuid, limit: MAX_PERSON_PROPERTIES_BYTES },
  });
  expect((warnings[0]!.details as { size: number }).size).toBeGreaterThan(MAX_PERSON_PROPERTIES_BYTES);

  // Smaller updates still apply afterwards.
  await ingestInOrder(p, [ev('$set', 'big', { $set: { small: 1 } })]);
  expect((await personOf(p.id, 'big'))!.properties.small).toBe(1);
});
