/**
 * Bounded statements over the events of a scope. D1 runs one statement at a
 * time per database (and locally on the same thread as every request), so one
 * long statement holds up every other query and write to the shard. A query
 * therefore reads a scope in slices of at most `statementRows` rows each, one
 * short statement per slice, and the Worker merges what the slices return.
 *
 * A slice is a range of keys of the scope's covering index (project, [event,]
 * timestamp, [event,] distinct id, stored person), found by a keyset walk
 * (slice-walk.ts). Rows with one identical key (one distinct id sending many
 * copies of an event at one millisecond) are a "pile": a pile larger than a
 * slice is cut by rowid, which the index orders among equal keys. A statement
 * that reads event rows, not only the index, reads them by rowid
 * (event-slices.ts).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { EventScope } from './source';
import { isoOf } from './time';

/** One index range: a project's events in [from, to), of one event name or all. */
export interface IndexScope {
  projectId: number;
  from?: number;
  to?: number;
  /** One event name; null or undefined for all events. */
  event?: string | null;
}

/** The index ranges of an EventScope: one per event name, or the all-events range. */
export function indexScopesOf(s: EventScope): IndexScope[] {
  const base = { projectId: s.projectId, from: s.from, to: s.to };
  const one = s.event === undefined || s.event === null ? undefined : s.event;
  if (s.events) {
    const names = one === undefined ? [...new Set(s.events)] : s.events.includes(one) ? [one] : [];
    return names.map((event) => ({ ...base, event }));
  }
  return [{ ...base, event: one ?? null }];
}

/** Values of the index columns after the fixed prefix, as stored (text). */
export type Key = string[];

export type Slice =
  | {
      kind: 'range';
      from: Key;
      /** The lower bound excludes `from` itself (the slice after a pile). */
      after: boolean;
      /** Exclusive upper bound; null: to the end of the index (a scope without `to`). */
      to: Key | null;
      /** Starts and ends on cuts: every bucket in it is whole. */
      whole: boolean;
    }
  | { kind: 'pile'; key: Key; afterRowid: number | null; toRowid: number | null; whole: false }
  /** Rows by rowid, ascending (event-slices.ts). */
  | { kind: 'rows'; ids: number[]; whole: false };

const ALL_EVENTS = {
  name: 'events_project_timestamp_idx',
  columns: ['timestamp', 'event', 'distinct_id', 'person_id_at_ingest'],
};
const ONE_EVENT = {
  name: 'events_project_event_timestamp_idx',
  columns: ['timestamp', 'distinct_id', 'person_id_at_ingest'],
};

export const indexOf = (scope: IndexScope) =>
  scope.event === undefined || scope.event === null ? ALL_EVENTS : ONE_EVENT;

/** `FROM` clause words that pin the scope's index: a slice's bound holds only on that index. */
export const indexedBy = (scope: IndexScope): SQL => sql.raw(`INDEXED BY ${indexOf(scope).name}`);

/** SQLite's BINARY order of UTF-8 text: code point order (JavaScript's `<` is UTF-16 order). */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function compareKeys(a: Key, b: Key): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareText(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** The first key at an instant: every row at or after it sorts at or after this key. */
export const keyAt = (scope: IndexScope, instant: number): Key => [
  isoOf(instant),
  ...indexOf(scope)
    .columns.slice(1)
    .map(() => ''),
];

export function columnsOf(scope: IndexScope, alias: string): SQL {
  return sql.raw(
    `(${indexOf(scope)
      .columns.map((c) => `${alias}.${c}`)
      .join(', ')})`,
  );
}

export const tuple = (key: Key): SQL =>
  sql`(${sql.join(
    key.map((v) => sql`${v}`),
    sql`, `,
  )})`;

/** The fixed columns; `unindexed` (unary +) keeps SQLite from walking an index by them instead of the rowids. */
export function prefixSql(scope: IndexScope, alias: string, unindexed = false): SQL {
  const column = (name: string) => sql.raw(`${unindexed ? '+' : ''}${alias}.${name}`);
  const project = sql`${column('project_id')} = ${scope.projectId}`;
  return indexOf(scope) === ALL_EVENTS ? project : sql`${project} AND ${column('event')} = ${scope.event}`;
}

/** The rows of one slice, as a WHERE condition on the events table aliased `alias`. */
export function sliceSql(scope: IndexScope, slice: Slice, alias = 'e'): SQL {
  const cols = columnsOf(scope, alias);
  if (slice.kind === 'rows') {
    const ids = JSON.stringify(slice.ids);
    return sql`${sql.raw(alias)}.rowid IN (SELECT value FROM json_each(${ids})) AND ${prefixSql(scope, alias, true)}`;
  }
  if (slice.kind === 'pile') {
    const equal = indexOf(scope).columns.map((c, i) => sql`${sql.raw(`${alias}.${c}`)} = ${slice.key[i]}`);
    const rowid = sql.raw(`${alias}.rowid`);
    return sql.join(
      [
        prefixSql(scope, alias),
        ...equal,
        ...(slice.afterRowid === null ? [] : [sql`${rowid} > ${slice.afterRowid}`]),
        ...(slice.toRowid === null ? [] : [sql`${rowid} <= ${slice.toRowid}`]),
      ],
      sql` AND `,
    );
  }
  const lower = sql`${cols} ${sql.raw(slice.after ? '>' : '>=')} ${tuple(slice.from)}`;
  const upper = slice.to === null ? sql`` : sql` AND ${cols} < ${tuple(slice.to)}`;
  return sql`${prefixSql(scope, alias)} AND ${lower}${upper}`;
}

/** The whole scope as one range. */
export function rangeOf(scope: IndexScope): Slice & { kind: 'range' } {
  const from = scope.from === undefined ? keyAt(scope, 0).map(() => '') : keyAt(scope, scope.from);
  return { kind: 'range', from, after: false, to: scope.to === undefined ? null : keyAt(scope, scope.to), whole: true };
}
