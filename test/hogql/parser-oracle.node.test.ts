import createHogQLParser, { type HogQLParser } from '@posthog/hogql-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { HogQLSyntaxError, parseExpr, parseSelect } from '../../src/hogql/parser';
import { CORPUS, EXPRESSIONS, INVALID } from './corpus';

// PostHog's own parser (its C++ ANTLR parser compiled to WebAssembly) is the oracle: both trees are brought to one
// canonical shape and must be equal. Dropped: positions, and what our AST does not model or PostHog fills with
// nulls for clauses we do not parse (SAMPLE, FINAL, QUALIFY, FILTER, ...). Absent and null are the same.
const IGNORED_KEYS = new Set([
  'start',
  'end',
  'nulls',
  'is_null_comparison_style',
  'column_aliases',
  'sample',
  'table_final',
  'qualify',
  'materialized',
  'using_key',
  'columns',
  'filter_expr',
  'value_type',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function canonical(value: unknown): Json {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value as Json;
  const source = value as Record<string, unknown>;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(source)) {
    if (IGNORED_KEYS.has(key) || v === undefined || (v === null && key !== 'value')) continue;
    out[key === 'node' ? 'kind' : key] = canonical(v);
  }
  // PostHog writes numbers it cannot hold in a double, and inf/nan, as strings with value_type 'number'.
  if (source.value_type === 'number') out.value = Number(source.value);
  if (out.kind === 'SelectSetNode') delete out.kind;
  if ((out.kind === 'Call' || out.kind === 'SelectQuery') && out.distinct === undefined) out.distinct = false;
  return out;
}

let oracle: HogQLParser;

beforeAll(async () => {
  oracle = await createHogQLParser();
});

function oracleTree(json: string, text: string): Json {
  const tree = JSON.parse(json) as Record<string, unknown>;
  if (tree.error) throw new Error(`PostHog's parser rejects ${JSON.stringify(text)}: ${String(tree.message)}`);
  return canonical(tree);
}

describe('HogQL parser agrees with PostHog', () => {
  it('has a corpus of at least 220 queries, each once', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(220);
    expect(new Set(CORPUS).size).toBe(CORPUS.length);
  });

  it.each(CORPUS.map((q) => [q]))('parseSelect %s', (text) => {
    expect(canonical(parseSelect(text))).toEqual(oracleTree(oracle.parseSelect(text, true), text));
  });

  it.each(EXPRESSIONS.map((q) => [q]))('parseExpr %s', (text) => {
    expect(canonical(parseExpr(text))).toEqual(oracleTree(oracle.parseExpr(text, true), text));
  });

  it.each(INVALID.map((q) => [q]))('both reject %s', (text) => {
    const theirs = JSON.parse(oracle.parseSelect(text, true)) as { error?: boolean };
    expect(theirs.error).toBe(true);
    expect(() => parseSelect(text)).toThrow(HogQLSyntaxError);
  });
});
