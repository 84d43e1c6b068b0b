/**
 * PostHog's trends formulas (posthog/hogql_queries/utils/formula_ast.py): an
 * arithmetic expression over the series, named A, B, C… in series order
 * (case-insensitive), evaluated per bucket. Python's grammar for `+ - * / % **`
 * with unary signs and parentheses; `/` is true division and `%` takes the
 * divisor's sign, as in Python; dividing by zero gives 0. Anything else
 * (names beyond the series, calls, comparisons) is refused, as PostHog does.
 */
import { QueryError } from './errors';

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'series'; index: number }
  | { kind: 'unary'; op: '-' | '+'; operand: Node }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '%' | '**'; left: Node; right: Node };

const MAX_DEPTH = 50;
const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_]\w*)|(\*\*|\/\/|[-+*/%()]))/y;

type Token = { kind: 'number'; value: number } | { kind: 'name'; text: string } | { kind: 'op'; text: string };

function tokenize(text: string, attr: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (text.slice(at).trim() !== '') {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw bad(attr, `unexpected ${JSON.stringify(text.slice(at).trim().slice(0, 10))}`);
    at = TOKEN.lastIndex;
    if (m[1] !== undefined) tokens.push({ kind: 'number', value: Number(m[1]) });
    else if (m[2] !== undefined) tokens.push({ kind: 'name', text: m[2] });
    else tokens.push({ kind: 'op', text: m[3]! });
  }
  return tokens;
}

const bad = (attr: string, detail: string) => QueryError.badField(attr, `${attr}: ${detail}.`);

/** Parses a formula over `seriesCount` series; a 400 naming `attr` when it is not one. */
export function parseFormula(text: string, seriesCount: number, attr: string): Node {
  const tokens = tokenize(text, attr);
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (t: Token | undefined, ...ops: string[]): t is { kind: 'op'; text: string } =>
    t?.kind === 'op' && ops.includes(t.text);
  const unsupported = (what: string) =>
    bad(attr, `formulas only support arithmetic ( + - * / % ** ) between series, not ${what}`);

  // Python: expr := term (('+'|'-') term)*; term := factor (('*'|'/'|'%') factor)*;
  // factor := ('+'|'-') factor | power; power := atom ['**' factor].
  const expr = (depth: number): Node => {
    if (depth > MAX_DEPTH) throw bad(attr, `nests deeper than ${MAX_DEPTH} levels`);
    let left = term(depth);
    while (isOp(peek(), '+', '-')) {
      const op = (tokens[i++] as { text: '+' | '-' }).text;
      left = { kind: 'binary', op, left, right: term(depth) };
    }
    return left;
  };
  const term = (depth: number): Node => {
    let left = factor(depth);
    for (;;) {
      const t = peek();
      if (t?.kind === 'op' && t.text === '//') throw unsupported('FloorDiv');
      if (!isOp(t, '*', '/', '%')) return left;
      i++;
      left = { kind: 'binary', op: t.text as '*' | '/' | '%', left, right: factor(depth) };
    }
  };
  const factor = (depth: number): Node => {
    if (depth > MAX_DEPTH) throw bad(attr, `nests deeper than ${MAX_DEPTH} levels`);
    const t = peek();
    if (isOp(t, '+', '-')) {
      i++;
      return { kind: 'unary', op: t.text as '+' | '-', operand: factor(depth + 1) };
    }
    const base = atom(depth);
    if (isOp(peek(), '**')) {
      i++;
      return { kind: 'binary', op: '**', left: base, right: factor(depth + 1) };
    }
    return base;
  };
  const atom = (depth: number): Node => {
    const t = tokens[i++];
    if (!t) throw bad(attr, 'ends too early');
    if (t.kind === 'number') return { kind: 'number', value: t.value };
    if (t.kind === 'name') {
      if (isOp(peek(), '(')) throw unsupported(`${t.text.toUpperCase()}()`);
      const index = t.text.length === 1 ? t.text.toLowerCase().charCodeAt(0) - 97 : -1;
      if (index < 0 || index >= seriesCount) {
        const names = Array.from({ length: seriesCount }, (_, k) => String.fromCharCode(65 + k));
        throw bad(
          attr,
          `formula references series ${t.text.toUpperCase()}, but only ${seriesCount} ` +
            `${seriesCount === 1 ? 'series is' : 'series are'} defined (${names.join(', ')})`,
        );
      }
      return { kind: 'series', index };
    }
    if (t.text === '(') {
      const inner = expr(depth + 1);
      if (!isOp(tokens[i++], ')')) throw bad(attr, 'a parenthesis is not closed');
      return inner;
    }
    throw bad(attr, `unexpected "${t.text}"`);
  };

  const node = expr(0);
  if (i < tokens.length) {
    const t = tokens[i]!;
    throw bad(attr, `unexpected ${t.kind === 'number' ? String(t.value) : JSON.stringify(t.text)}`);
  }
  return node;
}

/** Python's float `%` (CPython's float_rem): the remainder takes the divisor's sign. */
function pyMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** The formula's value for one bucket, given each series' value there (missing values count 0, as PostHog's). */
export function evaluateFormula(node: Node, values: readonly number[]): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'series':
      return values[node.index] ?? 0;
    case 'unary': {
      const v = evaluateFormula(node.operand, values);
      return node.op === '-' ? -v : v;
    }
    case 'binary': {
      const a = evaluateFormula(node.left, values);
      const b = evaluateFormula(node.right, values);
      switch (node.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return b === 0 ? 0 : a / b;
        case '%':
          return b === 0 ? 0 : pyMod(a, b);
        case '**':
          return a === 0 && b < 0 ? 0 : a ** b;
      }
    }
  }
}

export type Formula = Node;
