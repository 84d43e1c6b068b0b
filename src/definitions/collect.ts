/**
 * What a batch of stored events tells about the project's taxonomy: the event
 * names (with the latest timestamp of each), the event, person and group
 * property names with a detected type, and which event carried which property.
 * Pure: no Cloudflare imports (record.ts writes what is new).
 */
import { propertyTypeOf, type PropertyType } from './property-type';

/** PostHog's PropertyDefinition.Type. */
export const DEFINITION_TYPE = { event: 1, person: 2, group: 3 } as const;
type DefinitionKind = keyof typeof DEFINITION_TYPE;

export interface PropertyDefinitionRow {
  type: (typeof DEFINITION_TYPE)[DefinitionKind];
  /** -1 unless a group property. */
  groupTypeIndex: number;
  name: string;
  propertyType: PropertyType | null;
}

interface BatchDefinitions {
  /** Event name → the latest timestamp (ISO) among the batch's events of that name. */
  events: Map<string, string>;
  /** Keyed by `propertyKey(row)`. */
  properties: Map<string, PropertyDefinitionRow>;
  /** Keyed by `event \0 property`. */
  eventProperties: Map<string, { event: string; property: string }>;
}

/** What collect needs of an event. */
export interface DefinitionSource {
  event: string;
  timestamp: string;
  properties: Record<string, unknown>;
  $set?: Record<string, unknown>;
  $set_once?: Record<string, unknown>;
}

/** Names PostHog keeps out of the taxonomy (they steer ingestion, they are not data). */
const SKIPPED_PROPERTIES = new Set([
  '$set',
  '$set_once',
  '$unset',
  '$groups',
  ...[0, 1, 2, 3, 4].map((i) => `$group_${i}`),
]);
/** PostHog's definitions are Postgres char fields of 200; longer names are not recorded. */
const MAX_NAME_LENGTH = 199;

export const propertyKey = (row: Pick<PropertyDefinitionRow, 'type' | 'groupTypeIndex' | 'name'>) =>
  `${row.type}\u0000${row.groupTypeIndex}\u0000${row.name}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `groupTypeIndexOf` maps a `$groupidentify`'s group type to its index (undefined when
 * unmapped: its properties are then not recorded).
 */
export function collectDefinitions(
  events: readonly DefinitionSource[],
  groupTypeIndexOf: (groupType: string) => number | undefined,
  nowMs: number,
): BatchDefinitions {
  const out: BatchDefinitions = { events: new Map(), properties: new Map(), eventProperties: new Map() };
  // Every event repeats most names: event and person rows are found by name alone, and each event
  // name's properties in a set, so a name seen before costs a lookup and builds no key.
  const eventRows = new Map<string, PropertyDefinitionRow>();
  const personRows = new Map<string, PropertyDefinitionRow>();
  const propertiesOfEvent = new Map<string, Set<string>>();
  const addProperty = (
    byName: Map<string, PropertyDefinitionRow> | null,
    type: PropertyDefinitionRow['type'],
    groupTypeIndex: number,
    name: string,
    value: unknown,
  ) => {
    if (name.length > MAX_NAME_LENGTH || name.length === 0) return;
    const known = byName ? byName.get(name) : out.properties.get(propertyKey({ type, groupTypeIndex, name }));
    if (known?.propertyType) return;
    const row = { type, groupTypeIndex, name, propertyType: propertyTypeOf(name, value, nowMs) };
    byName?.set(name, row);
    out.properties.set(propertyKey(row), row);
  };
  const addPersonProperties = (values: unknown) => {
    if (!isRecord(values)) return;
    for (const name of Object.keys(values)) addProperty(personRows, 2, -1, name, values[name]);
  };

  for (const e of events) {
    if (e.event.length > MAX_NAME_LENGTH) continue;
    const latest = out.events.get(e.event);
    if (!latest || e.timestamp > latest) out.events.set(e.event, e.timestamp);
    let seen = propertiesOfEvent.get(e.event);
    if (!seen) propertiesOfEvent.set(e.event, (seen = new Set()));
    const { properties } = e;
    for (const name of Object.keys(properties)) {
      if (SKIPPED_PROPERTIES.has(name) || name.length > MAX_NAME_LENGTH) continue;
      addProperty(eventRows, 1, -1, name, properties[name]);
      if (seen.has(name)) continue;
      seen.add(name);
      out.eventProperties.set(`${e.event}\u0000${name}`, { event: e.event, property: name });
    }
    addPersonProperties(properties.$set);
    addPersonProperties(properties.$set_once);
    addPersonProperties(e.$set);
    addPersonProperties(e.$set_once);
    if (e.event === '$groupidentify' && typeof properties.$group_type === 'string') {
      const index = groupTypeIndexOf(properties.$group_type);
      const set = properties.$group_set;
      if (index !== undefined && isRecord(set))
        for (const name of Object.keys(set)) addProperty(null, 3, index, name, set[name]);
    }
  }
  return out;
}
