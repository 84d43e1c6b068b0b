import type { Call, Expr, Placeholder } from './ast';
import { type Cursor, isName } from './cursor';
import type { Token } from './lexer';
import { constant, PREC } from './expr-nodes';
import { parseCase, parseInterval } from './expr-sugar';

const NUMBER_WORDS: Record<string, number> = { INF: Infinity, INFINITY: Infinity, NAN: NaN };

function numberValue(text: string): number {
  const prefix = text.slice(0, 2).toLowerCase();
  if (prefix === '0x') return parseInt(text.slice(2), 16);
  if (prefix === '0b') return parseInt(text.slice(2), 2);
  return Number(text);
}

/** A signed number literal (`-1`, `+2.5`, `-inf`) is one Constant, as in PostHog; `-x` is 0 - x. */
function signedNumber(c: Cursor): Expr | undefined {
  const sign = c.peek();
  if (sign.type !== 'punct' || (sign.value !== '-' && sign.value !== '+')) return undefined;
  const num = c.peek(1);
  const word = num.type === 'ident' ? NUMBER_WORDS[num.upper] : undefined;
  if (num.type !== 'number' && word === undefined) return undefined;
  c.next();
  c.next();
  const magnitude = word ?? numberValue(num.value);
  return constant(sign.value === '-' ? -magnitude : magnitude, sign.start, num.end);
}

/** A prefix operator (NOT, unary minus) with its operand, or a primary expression with its postfix accessors. */
export function parseUnary(c: Cursor): Expr {
  const token = c.peek();
  const signed = signedNumber(c);
  if (signed) return parsePostfix(c, signed);
  if (token.type === 'punct' && token.value === '-') {
    c.next();
    const operand = c.grammar.expr(c, PREC.NEG);
    const zero = constant(0, token.start, token.end);
    return { kind: 'ArithmeticOperation', op: '-', left: zero, right: operand, start: token.start, end: c.lastEnd };
  }
  // `not(x)` is a call to the function not(), as in PostHog; `NOT (SELECT ...)` is not.
  const subquery = c.isPunct('(', 1) && (c.isKw('SELECT', 2) || c.isKw('WITH', 2));
  if (c.isKw('NOT') && (!c.isPunct('(', 1) || subquery)) {
    c.next();
    const operand = c.grammar.expr(c, PREC.NOT);
    return { kind: 'Not', expr: operand, start: token.start, end: c.lastEnd };
  }
  return parsePostfix(c, parsePrimary(c));
}

function parsePostfix(c: Cursor, expr: Expr): Expr {
  for (;;) {
    const next = parseAccessor(c, expr);
    if (!next) return expr;
    expr = next;
  }
}

/**
 * One accessor (`[i]`, `.1`, `.name`) applied to `expr`, if one follows. These bind tightest, and as in PostHog they
 * also apply to a whole operation that ends without an operand of its own: `x IS NULL[1]` is (x IS NULL)[1].
 */
export function parseAccessor(c: Cursor, expr: Expr): Expr | undefined {
  const token = c.peek();
  if (c.acceptPunct('[')) {
    const property = c.grammar.expr(c);
    c.expectPunct(']');
    return { kind: 'ArrayAccess', array: expr, property, start: expr.start, end: c.lastEnd };
  }
  if (token.type === 'number' && token.value.startsWith('.')) {
    // `t.1` arrives as t and the number '.1'.
    c.next();
    if (!/^\.[0-9]+$/.test(token.value)) c.fail('Expected a tuple index', token);
    return { kind: 'TupleAccess', tuple: expr, index: Number(token.value.slice(1)), start: expr.start, end: c.lastEnd };
  }
  if (c.isPunct('.') && c.peek(1).type === 'number') {
    c.next();
    const index = c.next();
    if (!/^[0-9]+$/.test(index.value)) c.fail('Expected a tuple index', index);
    return { kind: 'TupleAccess', tuple: expr, index: Number(index.value), start: expr.start, end: c.lastEnd };
  }
  if (c.isPunct('.') && isName(c.peek(1))) {
    c.next();
    const name = c.next();
    const property = constant(name.value, name.start, name.end);
    return { kind: 'ArrayAccess', array: expr, property, start: expr.start, end: c.lastEnd };
  }
  if (c.isPunct('::')) c.unsupported("'::' type casts");
  if (c.isPunct('?.')) c.unsupported("'?.' null-safe access");
  return undefined;
}

function parsePrimary(c: Cursor): Expr {
  const token = c.peek();
  switch (token.type) {
    case 'number':
      c.next();
      return constant(numberValue(token.value), token.start, token.end);
    case 'string':
      c.next();
      return constant(token.value, token.start, token.end);
    case 'punct':
      return parsePunctPrimary(c, token);
    case 'ident':
    case 'quoted':
      return parseNamePrimary(c, token);
    default:
      return c.fail();
  }
}

function parsePunctPrimary(c: Cursor, token: Token): Expr {
  switch (token.value) {
    case '(':
      return parseParens(c);
    case '[': {
      c.next();
      const { exprs } = c.grammar.exprList(c, ']', true);
      c.expectPunct(']');
      return { kind: 'Array', exprs, start: token.start, end: c.lastEnd };
    }
    case '{':
      return parsePlaceholder(c);
    case '*':
      c.next();
      return { kind: 'Field', chain: ['*'], start: token.start, end: token.end };
    default:
      return c.fail();
  }
}

/** `{name}`: a value the caller substitutes later. */
export function parsePlaceholder(c: Cursor): Placeholder {
  const open = c.expectPunct('{');
  const expr = c.grammar.expr(c);
  c.expectPunct('}');
  return { kind: 'Placeholder', expr, start: open.start, end: c.lastEnd };
}

// Looks ahead for `(a, b) ->` without consuming anything: a lambda's parameter list is a run of names.
function isParenLambda(c: Cursor): boolean {
  let i = 1;
  if (!c.isPunct(')', i)) {
    for (;;) {
      if (!isName(c.peek(i))) return false;
      i += 1;
      if (c.isPunct(')', i)) break;
      if (!c.isPunct(',', i)) return false;
      i += 1;
      if (c.isPunct(')', i)) break;
    }
  }
  return c.isPunct('->', i + 1);
}

// PostHog's grammar also takes `x, y -> body` without parentheses, so `f(a, x -> 1)` is f with one lambda of a and x.
// Scanning every element of `f(a, b, c, ...)` would be quadratic: a failed scan remembers how far its names reach.
function bareLambdaArgs(c: Cursor): string[] | undefined {
  if (c.index < c.noBareLambdaBefore) return undefined;
  const args: string[] = [];
  let i = 0;
  for (;;) {
    args.push(c.peek(i).value);
    i += 1;
    if (c.isPunct('->', i)) return args;
    if (!c.isPunct(',', i)) break;
    i += 1;
    if (c.isPunct('->', i)) return args;
    if (!isName(c.peek(i))) break;
  }
  c.noBareLambdaBefore = c.index + i;
  return undefined;
}

function parseParens(c: Cursor): Expr {
  const open = c.peek();
  if (c.isKw('SELECT', 1) || c.isKw('WITH', 1)) {
    c.next();
    const query = c.grammar.selectSet(c);
    c.expectPunct(')');
    return query;
  }
  if (isParenLambda(c)) {
    c.next();
    const args: string[] = [];
    while (!c.acceptPunct(')')) {
      args.push(c.next().value);
      c.acceptPunct(',');
    }
    c.expectPunct('->');
    const expr = c.grammar.expr(c);
    return { kind: 'Lambda', args, expr, start: open.start, end: c.lastEnd };
  }
  c.next();
  const { exprs, trailingComma } = c.grammar.exprList(c, ')', false);
  c.expectPunct(')');
  const [only] = exprs;
  if (only && exprs.length === 1 && !trailingComma) return only;
  return { kind: 'Tuple', exprs, start: open.start, end: c.lastEnd };
}

function parseNamePrimary(c: Cursor, token: Token): Expr {
  const call = c.isPunct('(', 1);
  if (c.isKw('CASE')) return parseCase(c);
  if (c.isKw('INTERVAL')) return parseInterval(c);
  if (token.type === 'ident' && !call) {
    const word = token.upper;
    if (word === 'NULL' || word === 'TRUE' || word === 'FALSE') {
      // `true.x` is a field named true, as in PostHog.
      if (word === 'NULL' || !c.isPunct('.', 1) || !isName(c.peek(2))) {
        c.next();
        return constant(word === 'NULL' ? null : word === 'TRUE', token.start, token.end);
      }
    }
    const numberWord = NUMBER_WORDS[word];
    if (numberWord !== undefined) {
      c.next();
      return constant(numberWord, token.start, token.end);
    }
    if ((word === 'DATE' || word === 'TIMESTAMP') && c.peek(1).type === 'string')
      c.unsupported(`${word} '...' literals`);
  }
  if (call && token.type === 'ident' && (token.upper === 'CAST' || token.upper === 'TRY_CAST')) c.unsupported('CAST');
  const lambdaArgs = bareLambdaArgs(c);
  if (lambdaArgs) {
    while (!c.acceptPunct('->')) c.next();
    const expr = c.grammar.expr(c);
    return { kind: 'Lambda', args: lambdaArgs, expr, start: token.start, end: c.lastEnd };
  }
  if (call) return parseCall(c);
  return parseField(c);
}

function parseField(c: Cursor): Expr {
  const first = c.next();
  const chain = [first.value];
  while (c.isPunct('.')) {
    const after = c.peek(1);
    if (isName(after)) {
      c.next();
      chain.push(c.next().value);
    } else if (after.type === 'punct' && after.value === '*') {
      c.next();
      c.next();
      chain.push('*');
      break;
    } else {
      break;
    }
  }
  if (c.isPunct('(') && chain.length > 1) c.unsupported('calling a dotted name');
  return { kind: 'Field', chain, start: first.start, end: c.lastEnd };
}

function parseArgs(c: Cursor): { args: Expr[]; distinct: boolean } {
  c.expectPunct('(');
  const distinct = c.acceptKw('DISTINCT');
  const { exprs } = c.grammar.exprList(c, ')', true);
  c.expectPunct(')');
  return { args: exprs, distinct };
}

function parseCall(c: Cursor): Call {
  const name = c.next();
  let { args, distinct } = parseArgs(c);
  let params: Expr[] | undefined;
  if (c.isPunct('(')) {
    if (distinct) c.fail();
    params = args;
    ({ args, distinct } = parseArgs(c));
  }
  if (c.isKw('OVER')) c.unsupported('window functions (OVER)');
  if (c.isKw('FILTER') && c.isPunct('(', 1)) c.unsupported('FILTER (WHERE ...)');
  const call: Call = { kind: 'Call', name: name.value, args, distinct, start: name.start, end: c.lastEnd };
  if (params) call.params = params;
  return call;
}
