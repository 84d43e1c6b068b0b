import { describe, expect, it } from 'vitest';
import type { Expr, SelectQuery } from '../../src/hogql/ast';
import {
  HogQLSyntaxError,
  MAX_DEPTH,
  MAX_QUERY_LENGTH,
  MAX_TOKENS,
  parseExpr,
  parseSelect,
} from '../../src/hogql/parser';

function syntaxError(run: () => unknown): HogQLSyntaxError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HogQLSyntaxError);
    return error as HogQLSyntaxError;
  }
  throw new Error('expected a HogQLSyntaxError, but the text parsed');
}

// Benchmarks, not timed tests: the bounds tests assert the refusal and that no stack overflows; the
// generous timeouts only stop a runaway (a quadratic or exponential parse of these texts would pass them).
const GENEROUS_MS = 30_000;

function select(text: string): SelectQuery {
  const query = parseSelect(text);
  if (query.kind !== 'SelectQuery') throw new Error(`not a single SELECT: ${text}`);
  return query;
}

describe('HogQL parser: trees', () => {
  it('gives every node its character span', () => {
    const expr = parseExpr('a + f(1)');
    expect(expr).toMatchObject({ kind: 'ArithmeticOperation', start: 0, end: 8 });
    if (expr.kind !== 'ArithmeticOperation') throw new Error(expr.kind);
    expect(expr.left).toMatchObject({ kind: 'Field', chain: ['a'], start: 0, end: 1 });
    expect(expr.right).toMatchObject({ kind: 'Call', name: 'f', start: 4, end: 8 });

    const query = select('SELECT event AS e FROM events AS ev WHERE e = 1');
    expect(query).toMatchObject({ start: 0, end: 47 });
    expect(query.select[0]).toMatchObject({ kind: 'Alias', alias: 'e', start: 7, end: 17 });
    expect(query.select_from).toMatchObject({ alias: 'ev', table: { chain: ['events'], start: 23, end: 29 } });
    expect(query.where).toMatchObject({ kind: 'CompareOperation', op: '==', start: 42, end: 47 });
  });

  it('reads placeholders, INTERVAL, CASE, || and IS NULL as PostHog does', () => {
    expect(parseExpr('{filters}')).toMatchObject({ kind: 'Placeholder', expr: { kind: 'Field', chain: ['filters'] } });
    expect(parseExpr('INTERVAL 7 DAY')).toMatchObject({ kind: 'Call', name: 'toIntervalDay', args: [{ value: 7 }] });
    expect(parseExpr("INTERVAL '2 weeks'")).toMatchObject({ name: 'toIntervalWeek', args: [{ value: 2 }] });
    expect(parseExpr('CASE WHEN a THEN 1 END')).toMatchObject({
      name: 'if',
      args: [{}, { value: 1 }, { value: null }],
    });
    expect(parseExpr("a || 'b'")).toMatchObject({ kind: 'Call', name: 'concat' });
    expect(parseExpr('a IS NOT NULL')).toMatchObject({ kind: 'CompareOperation', op: '!=', right: { value: null } });
    expect(parseExpr('count(*)')).toMatchObject({ name: 'count', args: [{ kind: 'Field', chain: ['*'] }] });
    expect(parseExpr('-1')).toEqual({ kind: 'Constant', value: -1, start: 0, end: 2 });
  });

  it('keeps NULLS FIRST/LAST, which PostHog drops', () => {
    const query = select('SELECT a FROM t ORDER BY a DESC NULLS FIRST, b');
    expect(query.order_by).toMatchObject([{ order: 'DESC', nulls: 'FIRST' }, { order: 'ASC' }]);
    expect(query.order_by?.[1]).not.toHaveProperty('nulls');
  });

  it('reads LIMIT a, b as LIMIT a OFFSET b, as PostHog does', () => {
    expect(select('SELECT 1 LIMIT 10, 20')).toMatchObject({ limit: { value: 10 }, offset: { value: 20 } });
  });

  it('takes unicode in strings and quoted identifiers; offsets count UTF-16 code units', () => {
    expect(parseExpr("'日本語 🎉 Zoë'")).toMatchObject({ value: '日本語 🎉 Zoë' });
    expect(parseExpr('`événement`.`名前`')).toMatchObject({ kind: 'Field', chain: ['événement', '名前'] });
    const expr = parseExpr("'🎉' = x");
    if (expr.kind !== 'CompareOperation') throw new Error(expr.kind);
    expect(expr.right).toMatchObject({ start: 7, end: 8 });
  });

  it('unescapes strings as PostHog does', () => {
    expect(parseExpr("'a\\'b''c\\\\d\\ne\\tf'")).toMatchObject({ value: "a'b'c\\d\ne\tf" });
    expect(parseExpr("'\\x41'")).toMatchObject({ value: '\\x41' });
  });
});

describe('HogQL parser: errors', () => {
  const cases: [string, RegExp, number, number][] = [
    ['SELECT 1 @', /^Unexpected character '@' \(U\+0040\) at 9$/, 9, 10],
    ['SELECT 1; SELECT 2', /^Unexpected token 'SELECT' at 10$/, 10, 16],
    ['SELECT a FROM events WHERE', /^Unexpected end of query at 26$/, 26, 26],
    ["SELECT 'abc", /^Unterminated string starting at 7$/, 7, 11],
    ['SELECT `abc', /^Unterminated quoted identifier starting at 7$/, 7, 11],
    ['SELECT 1 /* no end', /^Unterminated comment starting at 9$/, 9, 18],
    ["SELECT 'a\\zb'", /^Unknown escape sequence '\\z' at 9$/, 9, 11],
    ['SELECT événement', /^Unexpected character U\+00E9 at 7$/, 7, 8],
    ['SELECT (1 + 2', /^Expected '\)' but found end of query at 13$/, 13, 13],
    ['SELECT INTERVAL 7 DAYS', /^Expected an interval unit .* but found 'DAYS' at 18$/, 18, 22],
    ['SELECT 1 AS true', /^"true" cannot be an alias, as it is a reserved keyword, at 12$/, 12, 16],
    ['SELECT FROM events', /^Expected a column but found 'FROM' at 7$/, 7, 11],
    ['SELECT a FROM t SETTINGS max_threads = 1', /^Unsupported: SETTINGS at 16$/, 16, 24],
    ['SELECT row_number() OVER () FROM t', /^Unsupported: window functions \(OVER\) at 20$/, 20, 24],
    ['SELECT 1 UNION SELECT 2', /^Unsupported: UNION without ALL/, 9, 14],
    ['SELECT a::String', /^Unsupported: '::' type casts at 8$/, 8, 10],
    ['SELECT a FROM t LIMIT 1 BY a', /^Unsupported: LIMIT \.\.\. BY at 24$/, 24, 26],
    ['SELECT a FROM t ARRAY JOIN a', /^Unsupported: ARRAY joins at 16$/, 16, 21],
  ];

  it.each(cases)('%s', (text, message, start, end) => {
    const error = syntaxError(() => parseSelect(text));
    expect(error.message).toMatch(message);
    expect([error.start, error.end]).toEqual([start, end]);
  });

  it('accepts one trailing semicolon', () => {
    expect(select('SELECT 1;').select).toHaveLength(1);
    syntaxError(() => parseSelect('SELECT 1;;'));
  });

  it('rejects trailing text after an expression', () => {
    expect(syntaxError(() => parseExpr('a b')).message).toBe("Unexpected token 'b' at 2");
  });
});

describe('HogQL parser: bounds', () => {
  it('exports its limits', () => {
    expect([MAX_QUERY_LENGTH, MAX_TOKENS, MAX_DEPTH]).toEqual([20_000, 10_000, 64]);
  });

  it(
    'refuses 10,000 nested parentheses without overflowing the stack',
    () => {
      const text = `SELECT ${'('.repeat(10_000)}1${')'.repeat(10_000)}`;
      expect(syntaxError(() => parseSelect(text)).message).toMatch(/longer than the 20000/);
      const opened = `SELECT ${'('.repeat(9_000)}`;
      expect(syntaxError(() => parseSelect(opened)).message).toMatch(/nests deeper than 64/);
    },
    GENEROUS_MS,
  );

  const deep: [string, string][] = [
    ['parentheses', `${'('.repeat(MAX_DEPTH)}1${')'.repeat(MAX_DEPTH)}`],
    ['NOT', `${'NOT '.repeat(1000)}a`],
    ['unary minus', `${'- '.repeat(1000)}a`],
    ['calls', `${'f('.repeat(1000)}1${')'.repeat(1000)}`],
    ['arrays', `${'['.repeat(1000)}${']'.repeat(1000)}`],
    ['CASE', `${'CASE WHEN '.repeat(1000)}a`],
    ['ternaries', `${'a ? b : '.repeat(1000)}c`],
    ['subqueries', `${'(SELECT '.repeat(1000)}1${')'.repeat(1000)}`],
    ['lambdas', `${'x -> '.repeat(1000)}1`],
  ];

  it.each(deep)(
    'refuses too deeply nested %s without overflowing the stack',
    (_, text) => {
      expect(syntaxError(() => parseExpr(text)).message).toMatch(/nests deeper than 64 levels/);
    },
    GENEROUS_MS,
  );

  it('parses nesting below the limit', () => {
    expect(parseExpr(`${'('.repeat(20)}1${')'.repeat(20)}`)).toMatchObject({ value: 1 });
    expect(parseExpr(`${'f('.repeat(15)}1${')'.repeat(15)}`)).toMatchObject({ name: 'f' });
  });

  it(
    'refuses a 1 MB query by its length',
    () => {
      const text = `SELECT ${"'x', ".repeat(200_000)}1`;
      expect(syntaxError(() => parseSelect(text)).message).toMatch(/characters long, longer than/);
    },
    GENEROUS_MS,
  );

  it('refuses more tokens than allowed', () => {
    const text = `SELECT ${'1,'.repeat(6_000)}1`;
    expect(syntaxError(() => parseSelect(text)).message).toMatch(/more than the 10000 tokens allowed/);
  });

  // Their time is not asserted (a loaded machine would fail it): the parse must be whole; the timeout stops a runaway.
  it(
    'parses long flat queries whole',
    () => {
      const n = 2_000;
      const shapes: [string, (n: number) => string][] = [
        [
          'IN list',
          (n) => `SELECT count() FROM events WHERE id IN (${Array.from({ length: n }, (_, i) => i).join(', ')})`,
        ],
        ['sum', (n) => `SELECT ${Array(n).fill('a').join(' + ')}`],
        ['AND chain', (n) => `SELECT 1 WHERE ${Array(n).fill('a').join(' AND ')}`],
        ['concatenation', (n) => `SELECT ${Array(n).fill("'x'").join(' || ')}`],
        ['call arguments', (n) => `SELECT f(${Array(n).fill('a').join(', ')})`],
      ];
      for (const [name, shape] of shapes) expect(parseSelect(shape(n)), name).toMatchObject({ kind: 'SelectQuery' });
    },
    GENEROUS_MS,
  );

  it('flattens long AND chains and concatenations into one node', () => {
    const and = select(`SELECT 1 WHERE ${Array(2_000).fill('a').join(' AND ')}`).where as Expr;
    expect(and).toMatchObject({ kind: 'And' });
    if (and.kind === 'And') expect(and.exprs).toHaveLength(2_000);
    const concat = select(`SELECT ${Array(2_000).fill("'x'").join(' || ')}`).select[0] as Expr;
    expect(concat).toMatchObject({ kind: 'Call', name: 'concat' });
    if (concat.kind === 'Call') expect(concat.args).toHaveLength(2_000);
  });
});
