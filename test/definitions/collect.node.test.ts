import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collectDefinitions, propertyKey, type DefinitionSource } from '../../src/definitions/collect';
import { propertyTypeOf } from '../../src/definitions/property-type';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const SKIPPED = new Set(['$set', '$set_once', '$unset', '$groups', '$group_0', '$group_1', '$group_2', '$group_3']);
const MAX = 199;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rules written out plainly, one key per property and occurrence: what collectDefinitions must return. */
function model(events: DefinitionSource[], groupTypeIndexOf: (type: string) => number | undefined) {
  const events_ = new Map<string, string>();
  const properties = new Map<string, { type: number; groupTypeIndex: number; name: string; propertyType: unknown }>();
  const eventProperties = new Map<string, { event: string; property: string }>();
  const add = (type: 1 | 2 | 3, groupTypeIndex: number, name: string, value: unknown) => {
    if (name.length > MAX || name.length === 0) return;
    const key = propertyKey({ type, groupTypeIndex, name });
    if (properties.get(key)?.propertyType) return;
    properties.set(key, { type, groupTypeIndex, name, propertyType: propertyTypeOf(name, value, NOW) });
  };
  const addPerson = (values: unknown) => {
    if (isRecord(values)) for (const [name, value] of Object.entries(values)) add(2, -1, name, value);
  };
  for (const e of events) {
    if (e.event.length > MAX) continue;
    const latest = events_.get(e.event);
    if (!latest || e.timestamp > latest) events_.set(e.event, e.timestamp);
    for (const [name, value] of Object.entries(e.properties)) {
      if (SKIPPED.has(name) || name === '$group_4' || name.length > MAX) continue;
      add(1, -1, name, value);
      eventProperties.set(`${e.event}\u0000${name}`, { event: e.event, property: name });
    }
    addPerson(e.properties.$set);
    addPerson(e.properties.$set_once);
    addPerson(e.$set);
    addPerson(e.$set_once);
    if (e.event === '$groupidentify' && typeof e.properties.$group_type === 'string') {
      const index = groupTypeIndexOf(e.properties.$group_type);
      const set = e.properties.$group_set;
      if (index !== undefined && isRecord(set))
        for (const [name, value] of Object.entries(set)) add(3, index, name, value);
    }
  }
  return { events: events_, properties, eventProperties };
}

const names = fc.constantFrom('$browser', 'created_at', 'utm_source', 'plan', '', '$set', '$group_0', 'x'.repeat(200));
const values = fc.oneof(
  fc.constantFrom(null, true, 'true', '2024-05-06T10:00:00Z', 'Ada', NOW / 1000, 3, { a: 1 }, [1]),
  fc.string(),
);
const record = fc.dictionary(names, values, { maxKeys: 5 });
const event = fc.record({
  event: fc.constantFrom('$pageview', 'signup', '$groupidentify', 'e'.repeat(200)),
  timestamp: fc.constantFrom('2025-05-01T00:00:00.000Z', '2025-05-02T00:00:00.000Z', '2025-04-30T00:00:00.000Z'),
  properties: fc.record(
    {
      $set: fc.oneof(record, values),
      $set_once: record,
      $group_type: fc.constantFrom('company', 'team'),
      $group_set: record,
      more: record,
    },
    { requiredKeys: [] },
  ),
  $set: fc.option(record, { nil: undefined }),
  $set_once: fc.option(record, { nil: undefined }),
});
/** Flattens `more` into the properties, as an SDK sends them. */
const source = event.map(({ properties: { more, ...rest }, ...e }) => {
  const out: DefinitionSource = { ...e, properties: { ...rest, ...more } };
  if (out.$set === undefined) delete out.$set;
  if (out.$set_once === undefined) delete out.$set_once;
  return out;
});

describe('collectDefinitions', () => {
  it('finds what the plain rules find, in the same order', () => {
    const groupTypeIndexOf = (type: string) => (type === 'company' ? 0 : undefined);
    fc.assert(
      fc.property(fc.array(source, { maxLength: 12 }), (events) => {
        const got = collectDefinitions(events, groupTypeIndexOf, NOW);
        const want = model(events, groupTypeIndexOf);
        expect([...got.events]).toEqual([...want.events]);
        expect([...got.properties]).toEqual([...want.properties]);
        expect([...got.eventProperties]).toEqual([...want.eventProperties]);
      }),
      { numRuns: 500 },
    );
  });

  it('types a property by its first typed value, and an untyped one stays untyped', () => {
    const got = collectDefinitions(
      [
        { event: 'e', timestamp: 't', properties: { shape: null, plan: 'pro' } },
        { event: 'e', timestamp: 't', properties: { shape: 3, plan: true } },
        { event: 'f', timestamp: 't', properties: { other: { a: 1 } } },
      ],
      () => undefined,
      NOW,
    );
    expect([...got.properties.values()].map((r) => [r.name, r.propertyType])).toEqual([
      ['shape', 'Numeric'],
      ['plan', 'String'],
      ['other', null],
    ]);
    expect([...got.eventProperties.keys()]).toEqual(['e\u0000shape', 'e\u0000plan', 'f\u0000other']);
  });
});
