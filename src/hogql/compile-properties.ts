/**
 * `properties.a.b[1]` at any depth as SQL: the value's text form, the way
 * PostHog reads a property (strings as they are, numbers as their digits,
 * `true`/`false`, JSON text for objects and arrays, NULL when missing or null).
 * Keys never reach SQL as text unless a JSON path can quote them safely;
 * other keys are bound and matched through `json_each`.
 */
import { sql, type SQL } from 'drizzle-orm';
import { propertyText } from '../query/filters';
import { fail } from './compile-types';

/** A key a quoted JSON path can hold: no `"`, `\`, control characters or lone surrogates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what a JSON path cannot hold
const PATH_SAFE = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/u;

/** Deepest property path a query may read. */
const MAX_PATH_DEPTH = 32;

/** A path step: a key, or a 0-based array index. */
export type PathStep = string | number;

const pathLiteral = (steps: PathStep[]) => {
  const text = `$${steps.map((s) => (typeof s === 'number' ? `[${s}]` : `."${s}"`)).join('')}`;
  return sql.raw(`'${text.replace(/'/g, "''")}'`);
};

export const isPathSafe = (key: string) => PATH_SAFE.test(key);
const safe = (step: PathStep) => typeof step === 'number' || PATH_SAFE.test(step);

function textForm(column: SQL, path: SQL): SQL {
  return sql`(CASE json_type(${column}, ${path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL
    ELSE CAST(json_extract(${column}, ${path}) AS TEXT) END)`;
}

export function propertyPathText(column: SQL, path: PathStep[], at: { start: number; end: number }): SQL {
  if (path.length > MAX_PATH_DEPTH) fail(`A property path may have at most ${MAX_PATH_DEPTH} steps`, at);
  for (const step of path) {
    if (typeof step === 'number' && (!Number.isInteger(step) || step < 0)) fail('Array indexes start at 1', at);
  }
  let current = column;
  let prefix: PathStep[] = [];
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    if (safe(step)) {
      prefix.push(step);
      continue;
    }
    const holder = prefix.length ? sql`json_extract(${current}, ${pathLiteral(prefix)})` : current;
    if (i === path.length - 1) return propertyText(holder, String(step));
    current = sql`(SELECT j.value FROM json_each(${holder}) j WHERE j.key = ${String(step)})`;
    prefix = [];
  }
  if (prefix.length === 0) return current;
  return textForm(current, pathLiteral(prefix));
}
