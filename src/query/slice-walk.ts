/**
 * Where the slices of a scope end (slices.ts). A keyset walk over the scope's
 * index marks a key every `step` rows (an eighth of a slice): one statement
 * walks at most `countedRows` index entries with a recursive query (each step
 * `LIMIT 1 OFFSET step` from the last mark), so finding the ends costs about a
 * third of a microsecond per row and a statement per ten slices. A slice from
 * any position in the piece after mark i ends by mark i + 8: at most
 * 8 × step rows, whatever lies between the marks.
 *
 * When more than `step` rows share one key, the walk stops at that key (a
 * pile): its rows are cut by rowid, and the walk goes on after it.
 *
 * The cost estimate counts a scope by the same walk (marks × step, the rest
 * counted), and the marks it found are kept for the query (budget.ts `found`):
 * slicing that scope then reads no index entry twice.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { budgetOf } from './budget';
import {
  type IndexScope,
  type Key,
  type Slice,
  columnsOf,
  compareKeys,
  indexOf,
  indexedBy,
  keyAt,
  prefixSql,
  rangeOf,
  sliceSql,
  tuple,
} from './slices';
import { run } from './source';

const orderSql = (scope: IndexScope) =>
  sql.raw(
    indexOf(scope)
      .columns.map((c) => `e.${c}`)
      .join(', '),
  );

/** The scope's keys from a mark on: each `step` rows after the last, found `per` to a statement. */
class Marks {
  readonly keys: Key[];
  /** 'more': not all found yet; 'end': none after the last; 'pile': more than `step` rows share the last key. */
  state: 'more' | 'end' | 'pile' = 'more';

  constructor(
    private readonly db: Db,
    private readonly scope: IndexScope,
    start: Key,
    private readonly end: Key | null,
    private readonly step: number,
    private readonly per: number,
  ) {
    this.keys = [start];
  }

  /** Finds marks until index `i` is known or there are no more. */
  async through(i: number): Promise<void> {
    while (this.keys.length <= i && this.state === 'more') await this.fetch();
  }

  private async fetch(): Promise<void> {
    const scope = this.scope;
    const names = indexOf(scope).columns;
    const last = this.keys[this.keys.length - 1]!;
    const from = sql.raw(`(${names.map((_, i) => `b.k ->> ${i}`).join(', ')})`);
    const upper = this.end === null ? sql`` : sql`AND ${columnsOf(scope, 'e')} < ${tuple(this.end)}`;
    const next = sql`SELECT json_array(${orderSql(scope)}) FROM events e ${indexedBy(scope)}
      WHERE ${prefixSql(scope, 'e')} AND ${columnsOf(scope, 'e')} >= ${from} ${upper}
      ORDER BY ${orderSql(scope)} LIMIT 1 OFFSET ${this.step}`;
    const rows = await run<{ k: string | null }>(
      this.db,
      sql`WITH RECURSIVE b(n, k, p) AS (
          SELECT 0, ${JSON.stringify(last)}, NULL
          UNION ALL
          SELECT b.n + 1, (${next}), b.k FROM b WHERE b.n < ${this.per} AND b.k IS NOT NULL AND (b.p IS NULL OR b.k <> b.p))
        SELECT k FROM b WHERE n > 0`,
    );
    for (const row of rows) {
      if (row.k === null) {
        this.state = 'end';
        return;
      }
      const key = (JSON.parse(row.k) as unknown[]).map(String);
      if (compareKeys(key, this.keys[this.keys.length - 1]!) === 0) {
        this.state = 'pile';
        return;
      }
      this.keys.push(key);
    }
    if (rows.length < this.per) this.state = 'end';
  }
}

/** The marks of one segment of a scope, shared by the query's statements (its budget keeps them). */
function marksFor(db: Db, scope: IndexScope, start: Key, end: Key | null, step: number, per: number): Marks {
  const found = budgetOf(db)?.found;
  const key = `marks:${JSON.stringify([scope.projectId, scope.event ?? null, start, end, step, per])}`;
  const known = found?.get(key);
  if (known instanceof Marks) return known;
  const marks = new Marks(db, scope, start, end, step, per);
  found?.set(key, marks);
  return marks;
}

/** A scope known (from the cost estimate) to fit one statement of `rows`. */
function knownSmall(db: Db, scope: IndexScope, rows: number): boolean {
  const size = budgetOf(db)?.found.get(sizeKey(scope));
  return typeof size === 'number' && size <= rows;
}

const sizeKey = (scope: IndexScope) => `size:${JSON.stringify([scope.projectId, scope.event ?? null, rangeOf(scope)])}`;

/** The first key after `key` (before `end`), or null. */
async function keyAfter(db: Db, scope: IndexScope, key: Key, end: Key | null): Promise<Key | null> {
  const names = indexOf(scope).columns;
  const upper = end === null ? sql`` : sql`AND ${columnsOf(scope, 'e')} < ${tuple(end)}`;
  const [row] = await run<{ k: string }>(
    db,
    sql`SELECT json_array(${orderSql(scope)}) AS k FROM events e ${indexedBy(scope)}
      WHERE ${prefixSql(scope, 'e')} AND ${columnsOf(scope, 'e')} > ${tuple(key)} ${upper}
      ORDER BY ${orderSql(scope)} LIMIT 1`,
  );
  return row ? (JSON.parse(row.k) as unknown[]).map(String).slice(0, names.length) : null;
}

/** The rowid `offset` rows after `afterRowid` among the rows of one key, or null. */
async function rowidAfter(db: Db, scope: IndexScope, key: Key, afterRowid: number | null, offset: number) {
  const pile: Slice = { kind: 'pile', key, afterRowid, toRowid: null, whole: false };
  const [row] = await run<{ id: number }>(
    db,
    sql`SELECT e.rowid AS id FROM events e ${indexedBy(scope)} WHERE ${sliceSql(scope, pile)}
      ORDER BY e.rowid LIMIT 1 OFFSET ${offset}`,
  );
  return row ? Number(row.id) : null;
}

/** A pile of one key, cut by rowid into slices of at most `rows`. */
async function* pileOf(db: Db, scope: IndexScope, key: Key, rows: number): AsyncGenerator<Slice> {
  let afterRowid: number | null = null;
  for (;;) {
    const toRowid = await rowidAfter(db, scope, key, afterRowid, rows - 1);
    yield { kind: 'pile', key, afterRowid, toRowid, whole: false };
    if (toRowid === null) return;
    afterRowid = toRowid;
  }
}

/** The scope as one slice when it has at most `rows` rows (one statement walking `rows` + 1 entries), else null. */
export async function oneSlice(db: Db, scope: IndexScope, rows: number): Promise<Slice | null> {
  const all = rangeOf(scope);
  if (knownSmall(db, scope, rows)) return all;
  const [row] = await run<{ one: number }>(
    db,
    sql`SELECT 1 AS one FROM events e ${indexedBy(scope)} WHERE ${sliceSql(scope, all)}
      ORDER BY ${orderSql(scope)} LIMIT 1 OFFSET ${rows}`,
  );
  return row ? null : all;
}

export interface Walk {
  /** Rows a slice holds at most. */
  rows: number;
  /** Rows between two marks (default an eighth of `rows`); the marks of one step are shared. */
  step?: number;
  /** Index entries one marking statement walks at most. */
  walk?: number;
  /** Instants slices end on where they can (interval bucket starts). */
  cuts?: number[];
}

const stepOf = (w: Walk) => w.step ?? Math.max(1, Math.floor(w.rows / 8));
const perOf = (w: Walk, step: number) => Math.max(1, Math.floor((w.walk ?? 100_000) / step));

/**
 * The slices of a scope, each at most `rows` rows, in index (time) order. With
 * `cuts`: a slice from a cut ends on the last cut it can reach (it holds whole
 * buckets: `whole`); one that cannot reach a cut ends where the rows allow,
 * and the next ends on the first cut (the bucket's rest).
 */
export async function* slicesOf(db: Db, scope: IndexScope, w: Walk): AsyncGenerator<Slice> {
  const { rows, cuts = [] } = w;
  const { from: start, to: end } = rangeOf(scope);
  if (knownSmall(db, scope, rows)) {
    yield rangeOf(scope);
    return;
  }
  const cutKeys = [...new Set(cuts)]
    .filter((c) => (scope.from === undefined || c > scope.from) && (scope.to === undefined || c < scope.to))
    .sort((a, b) => a - b)
    .map((c) => keyAt(scope, c));
  if (end) cutKeys.push(end);
  const step = stepOf(w);
  const span = Math.max(1, Math.floor(rows / step));
  const per = perOf(w, step);
  let pos = start;
  // Whether `pos` is a cut (or the scope's start): a slice from here to a cut holds whole buckets.
  let atCut = true;
  segments: for (;;) {
    const marks = marksFor(db, scope, pos, end, step, per);
    // The piece `pos` lies in: marks.keys[i] <= pos < marks.keys[i + 1].
    let i = 0;
    for (;;) {
      await marks.through(i + span);
      const mark = marks.keys[i + span];
      const pile = marks.state === 'pile' ? marks.keys[marks.keys.length - 1]! : null;
      if (mark === undefined && pile !== null && compareKeys(pile, pos) === 0) {
        yield* pileOf(db, scope, pile, rows);
        const next = await keyAfter(db, scope, pile, end);
        if (next === null) return;
        pos = next;
        atCut = false;
        continue segments;
      }
      // At most `span` pieces on: the next mark that far, the pile's key, or the scope's end.
      const limit = mark ?? pile ?? end;
      const reachable = cutKeys.filter(
        (k) => compareKeys(k, pos) > 0 && (limit === null || compareKeys(k, limit) <= 0),
      );
      const cut: Key | undefined = atCut ? reachable.at(-1) : reachable[0];
      const to = cut ?? limit;
      yield { kind: 'range', from: pos, after: false, to, whole: atCut && (cut !== undefined || to === end) };
      if (to === null || (end !== null && compareKeys(to, end) === 0)) return;
      pos = to;
      atCut = cut !== undefined;
      while (i + 1 < marks.keys.length && compareKeys(marks.keys[i + 1]!, pos) <= 0) i++;
    }
  }
}

/**
 * The rows of a scope, counted on its index by the marking walk (a statement
 * per `walk` entries; the marks are kept for slicing), stopped once over
 * `cap`. Rows sharing a mark's key with rows before it count as `step` rows
 * each piece: an upper bound, exact when keys differ.
 */
export async function countRows(db: Db, scope: IndexScope, cap: number, w: Walk): Promise<number> {
  // Most scopes fit one statement: counted at once, and known to need no marks.
  const [row] = await run<{ n: number }>(
    db,
    sql`SELECT count(*) AS n FROM (SELECT 1 FROM events e ${indexedBy(scope)} WHERE ${sliceSql(scope, rangeOf(scope))}
      LIMIT ${w.rows + 1})`,
  );
  const small = Number(row?.n ?? 0);
  if (small <= w.rows) {
    budgetOf(db)?.found.set(sizeKey(scope), small);
    return small;
  }
  const step = stepOf(w);
  const per = perOf(w, step);
  const { from: first, to: end } = rangeOf(scope);
  let total = 0;
  let start = first;
  for (;;) {
    const marks = marksFor(db, scope, start, end, step, per);
    let i = 0;
    for (;;) {
      await marks.through(i + per);
      i = marks.keys.length - 1;
      if (total + i * step > cap || marks.state !== 'more') break;
    }
    total += (marks.keys.length - 1) * step;
    if (total > cap) return total;
    const last = marks.keys[marks.keys.length - 1]!;
    if (marks.state === 'end') {
      const rest: Slice = { kind: 'range', from: last, after: false, to: end, whole: false };
      return total + (await countOf(db, scope, rest));
    }
    for await (const pile of pileOf(db, scope, last, w.walk ?? 100_000)) {
      total += await countOf(db, scope, pile);
      if (total > cap) return total;
    }
    const next = await keyAfter(db, scope, last, end);
    if (next === null) return total;
    start = next;
  }
}

async function countOf(db: Db, scope: IndexScope, slice: Slice): Promise<number> {
  const [row] = await run<{ n: number }>(
    db,
    sql`SELECT count(*) AS n FROM events e ${indexedBy(scope)} WHERE ${sliceSql(scope, slice)}`,
  );
  return Number(row?.n ?? 0);
}
