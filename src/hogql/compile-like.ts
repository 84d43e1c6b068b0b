/**
 * LIKE and ILIKE with ClickHouse's meaning: LIKE is case-sensitive (SQLite's
 * is not), so a constant pattern becomes a GLOB pattern; `\` escapes `%`, `_`
 * and itself. ILIKE, and LIKE with a pattern that is not a constant, are SQLite's
 * LIKE (case-insensitive for ASCII letters).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Compiled } from './compile-types';

/** A LIKE pattern as a GLOB pattern (`%` → `*`, `_` → `?`, GLOB's own specials bracketed). */
function globOfLike(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      out += next === '*' || next === '?' || next === '[' ? `[${next}]` : next;
    } else if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

export function likeSql(left: Compiled, right: Compiled, op: 'like' | 'ilike' | 'not like' | 'not ilike'): SQL {
  const negate = op.startsWith('not');
  let test: SQL;
  if (op.endsWith('ilike')) {
    test = sql`(${left.sql} LIKE ${right.sql} ESCAPE '\\')`;
  } else if (right.known && typeof right.known.value === 'string') {
    test = sql`(${left.sql} GLOB ${globOfLike(right.known.value)})`;
  } else {
    // A pattern known only at run time cannot become a GLOB: SQLite's LIKE, case-insensitive for ASCII.
    test = sql`(${left.sql} LIKE ${right.sql} ESCAPE '\\')`;
  }
  return negate ? sql`(NOT ${test})` : test;
}
