/**
 * The fixed schema HogQL queries read: PostHog's `events`, `persons` and
 * `groups` tables, the fields each offers (DatabaseSchemaQuery lists them) and
 * the SQL each field compiles to over this service's D1 tables. Every table is
 * reached through one of these names only; nothing else of the database is.
 */
import { sql, type SQL } from 'drizzle-orm';
import { type PathStep, propertyPathText } from './compile-properties';
import { type Compiled, type HType, fail } from './compile-types';

export type TableName = 'events' | 'persons' | 'groups';

/** PostHog's serialized field types (DatabaseSerializedFieldType). */
type SchemaType = 'string' | 'datetime' | 'integer' | 'boolean' | 'json' | 'lazy_table';

interface FieldDoc {
  name: string;
  type: SchemaType;
  /** For lazy tables: the fields reachable through it. */
  fields?: string[];
  table?: string;
}

const field = (name: string, type: SchemaType): FieldDoc => ({ name, type });

export const TABLE_FIELDS: Record<TableName, FieldDoc[]> = {
  events: [
    field('uuid', 'string'),
    field('event', 'string'),
    field('properties', 'json'),
    field('timestamp', 'datetime'),
    field('distinct_id', 'string'),
    field('elements_chain', 'string'),
    field('created_at', 'datetime'),
    field('$session_id', 'string'),
    field('$window_id', 'string'),
    field('person_id', 'string'),
    {
      name: 'person',
      type: 'lazy_table',
      table: 'persons',
      fields: ['id', 'created_at', 'is_identified', 'properties'],
    },
    ...[0, 1, 2, 3, 4].map((i) => field(`$group_${i}`, 'string')),
  ],
  persons: [
    field('id', 'string'),
    field('created_at', 'datetime'),
    field('is_identified', 'boolean'),
    field('properties', 'json'),
  ],
  groups: [
    field('index', 'integer'),
    field('key', 'string'),
    field('created_at', 'datetime'),
    field('properties', 'json'),
  ],
};

/** The columns `SELECT *` gives, per table (PostHog's own `*` leaves out lazy tables). */
export const STAR_FIELDS: Record<TableName, string[]> = {
  events: ['uuid', 'event', 'properties', 'timestamp', 'distinct_id', 'elements_chain', 'created_at', 'person_id'],
  persons: ['id', 'created_at', 'is_identified', 'properties'],
  groups: ['index', 'key', 'created_at', 'properties'],
};

export const isTableName = (name: string): name is TableName => Object.hasOwn(TABLE_FIELDS, name);

/** What a scope's events table needs joined: the current owner of the distinct id, the person row. */
export interface EventJoins {
  owner: boolean;
  person: boolean;
  /** The alias of the rows holding `distinct_id` and `person_id_at_ingest`: `e`, or the dau plan's `s`. */
  rows?: 's';
}

/** The person an event counts under now (as src/query/source.ts resolves it). */
const personIdOf = (joins: EventJoins) => sql.raw(`COALESCE(m.person_id, ${joins.rows ?? 'e'}.person_id_at_ingest)`);

const typed = (s: SQL, type: HType): Compiled => ({ sql: s, type });

function jsonOrProperty(column: SQL, path: PathStep[], at: { start: number; end: number }): Compiled {
  if (path.length === 0) return typed(column, 'String');
  return typed(propertyPathText(column, path, at), 'Property');
}

function personField(rest: PathStep[], joins: EventJoins, at: { start: number; end: number }): Compiled {
  const [name, ...path] = rest;
  joins.owner = true;
  if (name === undefined || name === 'id') {
    if (path.length) fail(`person.id has no fields`, at);
    return typed(personIdOf(joins), 'UUID');
  }
  joins.person = true;
  if (name === 'created_at' && !path.length) return typed(sql.raw('p.created_at'), 'DateTime');
  if (name === 'is_identified' && !path.length) return typed(sql.raw('p.is_identified'), 'Bool');
  if (name === 'properties') return jsonOrProperty(sql.raw('p.properties'), path, at);
  return fail(
    `Unknown field person.${[name, ...path].join('.')}: persons have id, created_at, is_identified and properties`,
    at,
  );
}

const textOr = (column: SQL): SQL => sql`COALESCE(${column}, '')`;

/** A field of an events table (aliased e/m/p in its scope). */
export function eventField(chain: PathStep[], joins: EventJoins, at: { start: number; end: number }): Compiled {
  const [name, ...rest] = chain;
  const simple = (s: string, type: HType): Compiled => {
    if (rest.length) fail(`${name} has no fields (${chain.join('.')})`, at);
    return typed(sql.raw(s), type);
  };
  switch (name) {
    case 'uuid':
      return simple('e.uuid', 'UUID');
    case 'event':
      return simple('e.event', 'String');
    case 'timestamp':
    case 'created_at':
      return simple('e.timestamp', 'DateTime');
    case 'distinct_id':
      return simple('e.distinct_id', 'String');
    case 'properties':
      return jsonOrProperty(sql.raw('e.properties'), rest, at);
    case 'person_id':
      joins.owner = true;
      if (rest.length) fail(`person_id has no fields`, at);
      return typed(personIdOf(joins), 'UUID');
    case 'person':
      return personField(rest, joins, at);
    case '$session_id':
    case '$window_id':
      if (rest.length) fail(`${name} has no fields`, at);
      return typed(textOr(propertyPathText(sql.raw('e.properties'), [name], at)), 'String');
    case 'elements_chain':
      if (rest.length) fail(`elements_chain has no fields`, at);
      return typed(textOr(propertyPathText(sql.raw('e.properties'), ['$elements_chain'], at)), 'String');
  }
  const group = /^\$group_([0-4])$/.exec(String(name));
  if (group && !rest.length) return typed(textOr(sql.raw(`e.group_${group[1]}`)), 'String');
  return fail(`Unknown field "${chain.join('.')}" on table events`, at);
}

/** A field of a persons (`alias` pr) or groups (`alias` g) table. */
export function entityField(
  table: 'persons' | 'groups',
  alias: string,
  chain: PathStep[],
  at: { start: number; end: number },
): Compiled {
  if (!/^[a-z]+[0-9]*$/.test(alias)) throw new Error(`bad alias ${alias}`);
  const [name, ...rest] = chain;
  const column = (c: string) => sql.raw(`${alias}.${c}`);
  if (name === 'properties') return jsonOrProperty(column('properties'), rest, at);
  if (rest.length === 0) {
    if (name === 'created_at') return typed(column('created_at'), 'DateTime');
    if (table === 'persons' && name === 'id') return typed(column('id'), 'UUID');
    if (table === 'persons' && name === 'is_identified') return typed(column('is_identified'), 'Bool');
    if (table === 'groups' && name === 'index') return typed(column('group_type_index'), 'Int');
    if (table === 'groups' && name === 'key') return typed(column('group_key'), 'String');
  }
  return fail(`Unknown field "${chain.join('.')}" on table ${table}`, at);
}
