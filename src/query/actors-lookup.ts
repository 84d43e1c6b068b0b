/**
 * The actors of a source looked up in D1: which exist (persons, or groups of
 * the source's type), which match the `search`, the values they sort by, and
 * the full rows of one page. Ids go to D1 in chunks (json_each), so a request
 * reads at most MAX_SOURCE_ACTORS / CHUNK statements.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { QueryContext } from './context';
import { propertyText } from './filters';
import { run } from './source';

const CHUNK = 1_000;

interface Found {
  id: string;
  /** Matches the search (true when there is none). */
  hit: boolean;
  /** Values of the sort keys asked for, in order. */
  keys: unknown[];
}

export interface ActorRow {
  id: string;
  properties: Record<string, unknown>;
  created_at: string;
  is_identified: boolean | null;
  distinct_ids: string[];
}

/** A sort key read from the actor's own row: its creation time, whether identified, or a property. */
export type RowKey = { field: 'created_at' } | { field: 'is_identified' } | { field: 'property'; key: string };

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const likeArg = (search: string) => `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function keySql(alias: 'p' | 'g', key: RowKey): SQL {
  if (key.field === 'created_at') return sql.raw(`${alias}.created_at`);
  if (key.field === 'is_identified') return alias === 'p' ? sql.raw('p.is_identified') : sql`NULL`;
  return propertyText(sql.raw(`${alias}.properties`), key.key);
}

/** Persons: email, name, id or any distinct id; groups: name or key (PostHog's actor strategies). */
function searchSql(ctx: QueryContext, alias: 'p' | 'g', search: string | null): SQL {
  if (!search) return sql`1`;
  const like = likeArg(search);
  const name = sql`${propertyText(sql.raw(`${alias}.properties`), 'name')} LIKE ${like} ESCAPE '\\'`;
  if (alias === 'g') return sql`(${name} OR g.group_key LIKE ${like} ESCAPE '\\')`;
  return sql`(${propertyText(sql.raw('p.properties'), 'email')} LIKE ${like} ESCAPE '\\' OR ${name}
    OR p.id LIKE ${like} ESCAPE '\\'
    OR EXISTS (SELECT 1 FROM person_distinct_ids d WHERE d.project_id = ${ctx.projectId} AND d.person_id = p.id
      AND d.distinct_id LIKE ${like} ESCAPE '\\'))`;
}

/** The actors among `ids` that exist, with their search match and sort values. */
export async function findActors(
  ctx: QueryContext,
  groupTypeIndex: number | null,
  ids: string[],
  search: string | null,
  keys: RowKey[],
): Promise<Found[]> {
  const alias = groupTypeIndex === null ? 'p' : 'g';
  const keyColumns = keys.map((k, i) => sql`, ${keySql(alias, k)} AS ${sql.raw(`k${i}`)}`);
  const found: Found[] = [];
  for (const chunk of chunks(ids)) {
    const list = JSON.stringify(chunk);
    const query =
      groupTypeIndex === null
        ? sql`SELECT p.id AS id, ${searchSql(ctx, 'p', search)} AS hit ${sql.join(keyColumns, sql``)}
            FROM persons p WHERE p.project_id = ${ctx.projectId} AND p.id IN (SELECT value FROM json_each(${list}))`
        : sql`SELECT g.group_key AS id, ${searchSql(ctx, 'g', search)} AS hit ${sql.join(keyColumns, sql``)}
            FROM groups g WHERE g.project_id = ${ctx.projectId} AND g.group_type_index = ${groupTypeIndex}
              AND g.group_key IN (SELECT value FROM json_each(${list}))`;
    for (const row of await run<Record<string, unknown>>(ctx.db, query)) {
      found.push({ id: String(row.id), hit: Boolean(row.hit), keys: keys.map((_, i) => row[`k${i}`] ?? null) });
    }
  }
  return found;
}

/** The full rows of one page of actors (persons with their distinct ids, or groups). */
export async function actorRows(
  ctx: QueryContext,
  groupTypeIndex: number | null,
  ids: string[],
): Promise<Map<string, ActorRow>> {
  const out = new Map<string, ActorRow>();
  for (const chunk of chunks(ids)) {
    const list = JSON.stringify(chunk);
    if (groupTypeIndex !== null) {
      const rows = await run<{ id: string; properties: string; created_at: string }>(
        ctx.db,
        sql`SELECT group_key AS id, properties, created_at FROM groups WHERE project_id = ${ctx.projectId}
          AND group_type_index = ${groupTypeIndex} AND group_key IN (SELECT value FROM json_each(${list}))`,
      );
      for (const r of rows)
        out.set(r.id, { ...r, properties: JSON.parse(r.properties), is_identified: null, distinct_ids: [] });
      continue;
    }
    const persons = await run<{ id: string; properties: string; created_at: string; is_identified: number }>(
      ctx.db,
      sql`SELECT id, properties, created_at, is_identified FROM persons WHERE project_id = ${ctx.projectId}
        AND id IN (SELECT value FROM json_each(${list}))`,
    );
    for (const p of persons) {
      out.set(p.id, {
        id: p.id,
        properties: JSON.parse(p.properties),
        created_at: p.created_at,
        is_identified: Boolean(p.is_identified),
        distinct_ids: [],
      });
    }
    const links = await run<{ person_id: string; distinct_id: string }>(
      ctx.db,
      sql`SELECT person_id, distinct_id FROM person_distinct_ids WHERE project_id = ${ctx.projectId}
        AND person_id IN (SELECT value FROM json_each(${list})) ORDER BY person_id, distinct_id`,
    );
    for (const l of links) out.get(l.person_id)?.distinct_ids.push(l.distinct_id);
  }
  return out;
}
