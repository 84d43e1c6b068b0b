/**
 * ActorsQuery: the persons (or groups) behind one number, as PostHog's
 * ActorsQueryRunner answers (`results`, `columns`, `types`, `hasMore`,
 * `limit`, `offset`, `missing_actors_count`). The source (trends, funnels or
 * retention) yields the actors its number counted; those with a person (group)
 * row are listed, searched, ordered and paged here; the others — ids no person
 * owns, counted by the number all the same — are `missing_actors_count`, so
 * listed actors + missing = the number's actors on every page.
 */
import { type Column, type Ordering, defaultSelect, parseColumn, parseOrderBy, typeOf } from './actors-columns';
import { funnelsActors } from './actors-funnels';
import { type ActorRow, actorRows, findActors, type RowKey } from './actors-lookup';
import { retentionActors } from './actors-retention';
import { DEFAULT_ACTORS_LIMIT } from './actors-schema';
import type { ActorsSource, SourceActor } from './actors-source';
import { trendsActors } from './actors-trends';
import type { QueryContext } from './context';
import type { ActorsQueryInput } from './schema';
import { zonedIso } from './time';

async function sourceOf(ctx: QueryContext, query: ActorsQueryInput): Promise<ActorsSource> {
  const source = query.source;
  if (source.kind === 'FunnelsActorsQuery') return funnelsActors(ctx, source);
  if (source.source.kind === 'TrendsQuery') return trendsActors(ctx, { ...source, source: source.source });
  return retentionActors(ctx, { ...source, source: source.source });
}

/** Sorts like ClickHouse: numbers by value, text by code points, NULLs last either way; then by id. */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  const na = typeof a === 'number' ? a : Number(a);
  const nb = typeof b === 'number' ? b : Number(b);
  if (Number.isFinite(na) && Number.isFinite(nb) && String(a).trim() !== '' && String(b).trim() !== '') return na - nb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

export async function runActorsQuery(ctx: QueryContext, query: ActorsQueryInput): Promise<Record<string, unknown>> {
  const source = await sourceOf(ctx, query);
  const groups = source.groupTypeIndex !== null;
  const select = query.select ?? defaultSelect(groups, source.columns);
  const columns = select.map((text, i) => parseColumn(text, `query.select.${i}`, groups, source.columns));
  const orderings = parseOrderBy(query.orderBy, select, groups, source.columns);
  const limit = query.limit ?? DEFAULT_ACTORS_LIMIT;
  const offset = query.offset ?? 0;

  const rowKeys: RowKey[] = orderings.flatMap((o) => (o.column.kind === 'row' ? [o.column.key] : []));
  const bySource = new Map(source.actors.map((a) => [a.actor, a]));
  const found = await findActors(ctx, source.groupTypeIndex, [...bySource.keys()], query.search ?? null, rowKeys);
  const sortValues = (f: (typeof found)[number]) => {
    let k = 0;
    return orderings.map((o) => valueForSort(o, bySource.get(f.id)!, f.id, () => f.keys[k++]));
  };
  const listed = found
    .filter((f) => f.hit)
    .map((f) => ({ id: f.id, values: sortValues(f) }))
    .sort((a, b) => {
      for (let i = 0; i < orderings.length; i++) {
        const c = compareValues(a.values[i], b.values[i]);
        if (c !== 0) return orderings[i]!.desc ? -c : c;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  const page = listed.slice(offset, offset + limit);
  const needsRows = columns.some((c) => c.kind === 'actor' || c.kind === 'row');
  const rows = needsRows
    ? await actorRows(
        ctx,
        source.groupTypeIndex,
        page.map((p) => p.id),
      )
    : new Map<string, ActorRow>();
  const results = page.map((p) =>
    columns.map((c) => cell(ctx, c, rows.get(p.id), bySource.get(p.id)!, source.groupTypeIndex)),
  );
  return {
    results,
    columns: select,
    types: columns.map(typeOf),
    hasMore: listed.length > offset + limit,
    limit,
    offset,
    missing_actors_count: source.actors.length - found.length,
  };
}

function valueForSort(o: Ordering, s: SourceActor, id: string, nextRowKey: () => unknown): unknown {
  if (o.column.kind === 'row') return nextRowKey();
  if (o.column.kind === 'source') {
    const v = s[o.column.name];
    return Array.isArray(v) ? v.length : v;
  }
  return id;
}

function cell(
  ctx: QueryContext,
  c: Column,
  row: ActorRow | undefined,
  s: SourceActor,
  groupTypeIndex: number | null,
): unknown {
  const time = (v: string | undefined) => (v ? zonedIso(Date.parse(v), ctx.timezone, true) : null);
  switch (c.kind) {
    case 'actor':
      if (!row) return { id: s.actor };
      if (groupTypeIndex !== null)
        return {
          id: row.id,
          type: 'group',
          group_key: row.id,
          group_type_index: groupTypeIndex,
          created_at: time(row.created_at),
          group_properties: row.properties,
          properties: row.properties,
        };
      return {
        id: row.id,
        properties: row.properties,
        is_identified: row.is_identified,
        created_at: time(row.created_at),
        distinct_ids: row.distinct_ids,
      };
    case 'id':
      return s.actor;
    case 'delete':
      return 1;
    case 'source':
      return c.name === 'last_seen' ? time(s.last_seen) : (s[c.name] ?? null);
    case 'row': {
      if (!row) return null;
      if (c.key.field === 'created_at') return time(row.created_at);
      if (c.key.field === 'is_identified') return row.is_identified;
      return Object.hasOwn(row.properties, c.key.key) ? row.properties[c.key.key] : null;
    }
  }
}
