import { sql, type SQL } from 'drizzle-orm';
import type { PropertyWrites } from '../identity';
import type { PersonPropertyFilter, PropertyValue } from '../schemas/property-filters';
import type { Db } from './client';
import { decodePropertyWrites } from './property-writes-column';

/** A person as the REST API shows it. */
export interface PersonView {
  id: string;
  properties: Record<string, unknown>;
  /** Per key, the time and kind of the write that decided it (tombstones of `$unset` included). */
  propertyWrites: PropertyWrites;
  isIdentified: boolean;
  createdAt: string;
  version: number;
  /** In insertion order (oldest first). */
  distinctIds: string[];
}

interface PersonListFilter {
  distinctId?: string;
  search?: string;
  properties?: PersonPropertyFilter[];
}

interface PersonListRow {
  id: string;
  properties: string;
  property_writes: string;
  is_identified: number;
  created_at: string;
  version: number;
}

/** The JSON path of a top-level property key (keys containing `"` or `\` cannot be expressed). */
const propertyPath = (key: string) => `$."${key}"`;

/**
 * A property's value as text, the way PostHog compares property values:
 * `true`/`false` for booleans, the number's digits, the string itself; NULL when
 * missing or JSON null. `x.t` is the JSON type, `x.v` the extracted value.
 */
const TEXT_FORM = sql.raw(
  `CASE x.t WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL ELSE CAST(x.v AS TEXT) END`,
);

/** The property as a number: JSON numbers, or strings holding a JSON number; NULL otherwise. */
const NUMERIC_FORM = sql.raw(
  `CASE WHEN x.t IN ('integer', 'real') THEN x.v
        WHEN x.t = 'text' AND json_valid(x.v) THEN CASE WHEN json_type(x.v) IN ('integer', 'real')
          THEN CAST(x.v AS REAL) END
   END`,
);

const asText = (v: PropertyValue) => String(v);

function propertyCondition(f: PersonPropertyFilter): SQL {
  const values = f.value === undefined ? [] : Array.isArray(f.value) ? f.value : [f.value];
  const oneOf = (): SQL =>
    values.length === 1
      ? sql`${TEXT_FORM} = ${asText(values[0]!)}`
      : sql`${TEXT_FORM} IN (SELECT value FROM json_each(${JSON.stringify(values.map(asText))}))`;
  switch (f.operator) {
    case 'exact':
      return oneOf();
    case 'is_not':
      return sql`(${TEXT_FORM} IS NULL OR NOT (${oneOf()}))`;
    case 'icontains':
      return sql`instr(lower(${TEXT_FORM}), lower(${asText(values[0]!)})) > 0`;
    case 'is_set':
      return sql`(x.t IS NOT NULL AND x.t <> 'null')`;
    case 'is_not_set':
      return sql`(x.t IS NULL OR x.t = 'null')`;
    case 'gt':
      return sql`(${NUMERIC_FORM}) > ${Number(values[0])}`;
    case 'lt':
      return sql`(${NUMERIC_FORM}) < ${Number(values[0])}`;
  }
}

/** One property filter on `p.properties`; the key's path is bound once per use, never concatenated into SQL. */
function propertyFilterSql(f: PersonPropertyFilter): SQL {
  const path = propertyPath(f.key);
  return sql`EXISTS (SELECT 1 FROM (
      SELECT json_type(p.properties, ${path}) AS t, json_extract(p.properties, ${path}) AS v) AS x
    WHERE ${propertyCondition(f)})`;
}

function personWhere(projectId: number, filter: PersonListFilter): SQL {
  const conditions: SQL[] = [sql`p.project_id = ${projectId}`];
  if (filter.distinctId !== undefined) {
    conditions.push(
      // A distinct id has at most one person: `=` lets SQLite look the person up by primary key.
      sql`p.id = (SELECT d.person_id FROM person_distinct_ids d WHERE d.project_id = ${projectId}
        AND d.distinct_id = ${filter.distinctId})`,
    );
  }
  if (filter.search !== undefined && filter.search !== '') {
    conditions.push(sql`(
      EXISTS (SELECT 1 FROM person_distinct_ids d WHERE d.person_id = p.id AND d.project_id = p.project_id
        AND instr(lower(d.distinct_id), lower(${filter.search})) > 0)
      OR instr(lower(json_extract(p.properties, '$.email')), lower(${filter.search})) > 0
      OR instr(lower(json_extract(p.properties, '$.name')), lower(${filter.search})) > 0
      OR p.id = lower(${filter.search}))`);
  }
  for (const f of filter.properties ?? []) conditions.push(propertyFilterSql(f));
  return sql.join(conditions, sql` AND `);
}

/**
 * One page of a project's persons, newest first. Ask for one row more than the page to know if there is a next page.
 */
export function personListSql(projectId: number, filter: PersonListFilter, limit: number, offset: number): SQL {
  return sql`SELECT p.id, p.properties, p.property_writes, p.is_identified, p.created_at, p.version FROM persons p
    WHERE ${personWhere(projectId, filter)}
    ORDER BY p.created_at DESC, p.id DESC LIMIT ${limit} OFFSET ${offset}`;
}

export function personByIdSql(projectId: number, personId: string): SQL {
  return sql`SELECT p.id, p.properties, p.property_writes, p.is_identified, p.created_at, p.version FROM persons p
    WHERE p.id = ${personId} AND p.project_id = ${projectId}`;
}

/**
 * The distinct ids of several persons in insertion order; the ids travel as one JSON parameter (D1 binds at most 100).
 */
export function distinctIdsOfPersonsSql(projectId: number, personIds: string[]): SQL {
  // INDEXED BY: otherwise SQLite may walk all the project's distinct ids (primary key) and filter.
  return sql`SELECT person_id, distinct_id FROM person_distinct_ids INDEXED BY person_distinct_ids_person_idx
    WHERE person_id IN (SELECT value FROM json_each(${JSON.stringify(personIds)})) AND project_id = ${projectId}
    ORDER BY rowid`;
}

async function withDistinctIds(db: Db, projectId: number, rows: PersonListRow[]): Promise<PersonView[]> {
  if (rows.length === 0) return [];
  const links = await db.all<{ person_id: string; distinct_id: string }>(
    distinctIdsOfPersonsSql(
      projectId,
      rows.map((r) => r.id),
    ),
  );
  const idsOf = new Map<string, string[]>(rows.map((r) => [r.id, []]));
  for (const link of links) idsOf.get(link.person_id)?.push(link.distinct_id);
  return rows.map((r) => ({
    id: r.id,
    properties: JSON.parse(r.properties) as Record<string, unknown>,
    propertyWrites: decodePropertyWrites(r.property_writes),
    isIdentified: Boolean(r.is_identified),
    createdAt: r.created_at,
    version: r.version,
    distinctIds: idsOf.get(r.id) ?? [],
  }));
}

export async function listPersons(
  db: Db,
  projectId: number,
  filter: PersonListFilter,
  limit: number,
  offset: number,
): Promise<PersonView[]> {
  return withDistinctIds(db, projectId, await db.all<PersonListRow>(personListSql(projectId, filter, limit, offset)));
}

/** The person with this uuid in this project, or undefined (also when it belongs to another project). */
export async function getPerson(db: Db, projectId: number, personId: string): Promise<PersonView | undefined> {
  const [person] = await withDistinctIds(
    db,
    projectId,
    await db.all<PersonListRow>(personByIdSql(projectId, personId)),
  );
  return person;
}

export interface HistoryEntry {
  kind: string;
  at: string;
  eventUuid: string | null;
  sourcePersonId: string;
  targetPersonId: string;
  details: Record<string, unknown> | null;
}

/** Merges into, identifications of and splits from or into a person, oldest first. */
export function personHistorySql(projectId: number, personId: string): SQL {
  return sql`SELECT kind, at, event_uuid, source_person_id, target_person_id, details, seq FROM (
      SELECT m.kind, m.at, m.event_uuid, m.source_person_id, m.target_person_id, m.details, m.rowid AS seq
        FROM person_merges m WHERE m.project_id = ${projectId} AND m.target_person_id = ${personId}
      UNION ALL
      SELECT m.kind, m.at, m.event_uuid, m.source_person_id, m.target_person_id, m.details, m.rowid AS seq
        FROM person_merges m WHERE m.project_id = ${projectId} AND m.source_person_id = ${personId}
          AND m.target_person_id <> ${personId}
    ) ORDER BY at, seq`;
}

export async function personHistory(db: Db, projectId: number, personId: string): Promise<HistoryEntry[]> {
  const rows = await db.all<{
    kind: string;
    at: string;
    event_uuid: string | null;
    source_person_id: string;
    target_person_id: string;
    details: string | null;
  }>(personHistorySql(projectId, personId));
  return rows.map((r) => ({
    kind: r.kind,
    at: r.at,
    eventUuid: r.event_uuid,
    sourcePersonId: r.source_person_id,
    targetPersonId: r.target_person_id,
    details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>),
  }));
}

/**
 * When each of these persons was last seen: the newest event of any of its distinct ids
 * (one index seek per distinct id). Persons without events are missing from the map.
 */
export const lastSeenSql = (projectId: number, personIds: string[]) =>
  sql`SELECT d.person_id, max((SELECT max(e.timestamp) FROM events e WHERE e.project_id = d.project_id
    AND e.distinct_id = d.distinct_id)) AS last_seen
    FROM person_distinct_ids d INDEXED BY person_distinct_ids_person_idx
    WHERE d.person_id IN (SELECT value FROM json_each(${JSON.stringify(personIds)})) AND d.project_id = ${projectId}
    GROUP BY d.person_id`;

export async function lastSeenOfPersons(db: Db, projectId: number, personIds: string[]): Promise<Map<string, string>> {
  if (personIds.length === 0) return new Map();
  const rows = await db.all<{ person_id: string; last_seen: string | null }>(lastSeenSql(projectId, personIds));
  return new Map(rows.flatMap((r) => (r.last_seen ? [[r.person_id, r.last_seen] as const] : [])));
}

/** The person each of these distinct ids belongs to now (primary-key lookups); unknown ids are missing. */
// CROSS JOIN keeps the bound list outside, so each id is one primary-key lookup (an IN list lets SQLite scan instead).
export const personIdsOfDistinctIdsSql = (projectId: number, distinctIds: string[]) =>
  sql`SELECT d.distinct_id, d.person_id FROM json_each(${JSON.stringify(distinctIds)}) j
    CROSS JOIN person_distinct_ids d
    WHERE d.project_id = ${projectId} AND d.distinct_id = j.value`;

export async function personIdsOfDistinctIds(
  db: Db,
  projectId: number,
  distinctIds: string[],
): Promise<Map<string, string>> {
  if (distinctIds.length === 0) return new Map();
  const rows = await db.all<{ distinct_id: string; person_id: string }>(
    personIdsOfDistinctIdsSql(projectId, distinctIds),
  );
  return new Map(rows.map((r) => [r.distinct_id, r.person_id]));
}
