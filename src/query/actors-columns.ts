/**
 * An ActorsQuery's `select` and `orderBy` against what its source knows:
 * each column is the actor itself, its id, one of its own fields or
 * properties, or a source column (actors-source.ts). PostHog's defaults:
 * `["person", "id", "person.$delete"]` (plus `event_distinct_ids` for trends;
 * `["group"]` for groups), ordered by `created_at DESC` when selected, else by
 * the first column.
 */
import type { SourceColumn } from './actors-source';
import type { RowKey } from './actors-lookup';
import { QueryError } from './errors';

export type Column =
  | { kind: 'actor' }
  | { kind: 'id' }
  | { kind: 'delete' }
  | { kind: 'row'; key: RowKey }
  | { kind: 'source'; name: SourceColumn };

export interface Ordering {
  column: Column;
  desc: boolean;
}

const SOURCE_COLUMNS: SourceColumn[] = ['event_count', 'event_distinct_ids', 'last_seen', 'appearances'];

const TYPES: Record<string, string> = {
  actor: 'Tuple',
  id: 'UUID',
  delete: 'UInt8',
  created_at: 'DateTime64(6, UTC)',
  is_identified: 'Bool',
  property: 'String',
  event_count: 'UInt64',
  event_distinct_ids: 'Array(String)',
  last_seen: 'DateTime64(6, UTC)',
  appearances: 'Array(UInt64)',
};

export function typeOf(c: Column): string {
  if (c.kind === 'row') return TYPES[c.key.field]!;
  if (c.kind === 'source') return TYPES[c.name]!;
  return TYPES[c.kind]!;
}

export function defaultSelect(groups: boolean, sourceColumns: SourceColumn[]): string[] {
  if (groups) return ['group'];
  return [
    'person',
    'id',
    'person.$delete',
    ...(sourceColumns.includes('event_distinct_ids') ? ['event_distinct_ids'] : []),
  ];
}

export function parseColumn(text: string, attr: string, groups: boolean, sourceColumns: SourceColumn[]): Column {
  const bad = (why: string) => QueryError.badField(attr, `${attr}: ${JSON.stringify(text).slice(0, 200)} ${why}`);
  if (text === 'actor') return { kind: 'actor' };
  if (text === 'person' || text === 'person.$delete' || text === 'is_identified') {
    if (groups) throw bad('names a person field, but this number counts groups; use group or actor.');
    return text === 'person'
      ? { kind: 'actor' }
      : text === 'is_identified'
        ? { kind: 'row', key: { field: 'is_identified' } }
        : { kind: 'delete' };
  }
  if (text === 'group') {
    if (!groups) throw bad('names a group, but this number counts persons; use person or actor.');
    return { kind: 'actor' };
  }
  if (text === 'id' || text === 'actor_id') return { kind: 'id' };
  if (text === 'created_at') return { kind: 'row', key: { field: 'created_at' } };
  const property = /^(?:person\.)?properties\.(.+)$/s.exec(text);
  if (property) return { kind: 'row', key: { field: 'property', key: property[1]! } };
  const source = SOURCE_COLUMNS.find((c) => c === text);
  if (source) {
    if (!sourceColumns.includes(source))
      throw bad(`is not a column of this source (it has ${sourceColumns.join(', ') || 'none'}).`);
    return { kind: 'source', name: source };
  }
  throw bad('is not a column an ActorsQuery can select.');
}

/** `orderBy` entries: `<column> [ASC|DESC]`, several per entry separated by commas as PostHog's app sends them. */
export function parseOrderBy(
  orderBy: string[] | null | undefined,
  select: string[],
  groups: boolean,
  sourceColumns: SourceColumn[],
): Ordering[] {
  if (!orderBy || orderBy.length === 0) {
    if (select.includes('created_at')) return [{ column: { kind: 'row', key: { field: 'created_at' } }, desc: true }];
    const first = parseColumn(select[0]!, 'query.select.0', groups, sourceColumns);
    return [{ column: first.kind === 'actor' ? { kind: 'id' } : first, desc: false }];
  }
  const out: Ordering[] = [];
  orderBy.forEach((entry, i) => {
    const attr = `query.orderBy.${i}`;
    const terms = /^(?:person\.)?properties\./.test(entry.trim()) ? [entry] : entry.split(',');
    for (const term of terms) {
      const m = /^\s*(.+?)(?:\s+(ASC|DESC))?\s*$/is.exec(term);
      if (!m) throw QueryError.badField(attr, `${attr}: expected "<column> ASC" or "<column> DESC".`);
      let column = parseColumn(m[1]!, attr, groups, sourceColumns);
      // PostHog orders "person" by the display property (email) and "group" by its name.
      if (column.kind === 'actor') column = { kind: 'row', key: { field: 'property', key: groups ? 'name' : 'email' } };
      if (column.kind === 'delete') continue;
      out.push({ column, desc: (m[2] ?? 'ASC').toUpperCase() === 'DESC' });
    }
  });
  return out;
}
