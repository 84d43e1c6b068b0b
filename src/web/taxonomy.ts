/**
 * What the pickers offer and check: the project's event names and event and person property names (with their type),
 * from the definitions ingestion keeps (`GET …/event_definitions/`, `…/property_definitions/`).
 */
import type { Db } from '../db/client';
import { DEFINITION_TYPE } from '../definitions/collect';
import type { PropertyType } from '../definitions/property-type';
import { listEventDefinitions, listPropertyDefinitions } from '../definitions/reads';

/** Names a picker lists; a project with more still has every name it is given checked (`unknownNames`). */
const PICKER_LIMIT = 1000;

export type PropertyKind = 'event' | 'person';
/** An event name, or the key of an event or person property. */
export type NameKind = 'event' | 'event_property' | 'person_property';
const PROPERTY_KIND = { event_property: 'event', person_property: 'person' } as const;
export const propertyNameKind = (kind: PropertyKind): NameKind => `${kind}_property`;

interface PropertyName {
  name: string;
  type: PropertyType | null;
}

interface Listed<T> {
  items: T[];
  /** Every name of the project is in `items` (a name not there is unknown). */
  complete: boolean;
}

export interface Taxonomy {
  events: Listed<string>;
  properties: Record<PropertyKind, Listed<PropertyName>>;
}

const noFilter = () => ({ excluded: [], ordering: [], offset: 0 });

function propertyList(db: Db, projectId: number, kind: PropertyKind, limit: number, names?: string[]) {
  return listPropertyDefinitions(db, projectId, {
    ...noFilter(),
    type: DEFINITION_TYPE[kind],
    groupTypeIndex: -1,
    names,
    excludeCoreProperties: false,
    limit,
  });
}

export async function loadTaxonomy(db: Db, projectId: number): Promise<Taxonomy> {
  const [events, eventProperties, personProperties] = await Promise.all([
    listEventDefinitions(db, projectId, { ...noFilter(), eventType: 'all', limit: PICKER_LIMIT }),
    propertyList(db, projectId, 'event', PICKER_LIMIT),
    propertyList(db, projectId, 'person', PICKER_LIMIT),
  ]);
  const property = (page: typeof eventProperties): Listed<PropertyName> => ({
    items: page.rows.map((r) => ({ name: r.name, type: r.property_type })),
    complete: page.count <= page.rows.length,
  });
  return {
    events: { items: events.rows.map((r) => r.name), complete: events.count <= events.rows.length },
    properties: { event: property(eventProperties), person: property(personProperties) },
  };
}

export interface NameCheck {
  kind: NameKind;
  name: string;
}

/** The names among `checks` this project has never received (empty names are "all events", never unknown). */
export async function unknownNames(db: Db, projectId: number, checks: NameCheck[]): Promise<NameCheck[]> {
  const wanted = checks.filter((c) => c.name !== '');
  const known = async (kind: NameKind): Promise<Set<string>> => {
    const names = [...new Set(wanted.filter((c) => c.kind === kind).map((c) => c.name))];
    if (names.length === 0) return new Set();
    const page =
      kind === 'event'
        ? await listEventDefinitions(db, projectId, { ...noFilter(), eventType: 'all', names, limit: names.length })
        : await propertyList(db, projectId, PROPERTY_KIND[kind], names.length, names);
    return new Set(page.rows.map((r) => r.name));
  };
  const kinds = ['event', 'event_property', 'person_property'] as const;
  const sets = await Promise.all(kinds.map(known));
  const knownOf = Object.fromEntries(kinds.map((k, i) => [k, sets[i]!])) as Record<NameKind, Set<string>>;
  return wanted.filter((c) => !knownOf[c.kind].has(c.name));
}
