import type { ArithmeticOperationOp, Call, CompareOperationOp, Expr } from './ast';
import { aliasOf, type Cursor, isName } from './cursor';
import { parseAccessor, parseUnary } from './expr-primary';
import { constant, PREC, syntheticCall } from './expr-nodes';

const COMPARE_PUNCT: Record<string, CompareOperationOp> = {
  '=': '==',
  '==': '==',
  '!=': '!=',
  '<>': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  '~': '=~',
  '=~': '=~',
  '~*': '=~*',
  '=~*': '=~*',
  '!~': '!~',
  '!~*': '!~*',
};

const ARITHMETIC: Record<string, { op: ArithmeticOperationOp; prec: number }> = {
  '+': { op: '+', prec: PREC.ADD },
  '-': { op: '-', prec: PREC.ADD },
  '*': { op: '*', prec: PREC.MUL },
  '/': { op: '/', prec: PREC.MUL },
  '%': { op: '%', prec: PREC.MUL },
};

/** Parses an expression whose operators all bind at least as tightly as `minPrec` (0: any expression). */
export function parseExprAt(c: Cursor, minPrec = 0): Expr {
  return c.nested(() => {
    let left = parseUnary(c);
    let aliased = false;
    for (;;) {
      // As in PostHog, `a AS b` takes no further operator but the looser AND, OR, ? : and another AS.
      if (aliased && !c.isKw('AND') && !c.isKw('OR') && !c.isKw('AS') && !c.isPunct('?')) return left;
      const combined = parseInfix(c, left, minPrec);
      if (!combined) return left;
      aliased = combined.kind === 'Alias';
      left = combined;
    }
  });
}

/** Comma-separated expressions up to (not including) `close`; a trailing comma is allowed, as in PostHog. */
export function parseExprList(
  c: Cursor,
  close: string,
  allowEmpty: boolean,
): { exprs: Expr[]; trailingComma: boolean } {
  const exprs: Expr[] = [];
  if (c.isPunct(close)) {
    if (!allowEmpty) c.fail();
    return { exprs, trailingComma: false };
  }
  for (;;) {
    exprs.push(parseExprAt(c));
    if (!c.acceptPunct(',')) return { exprs, trailingComma: false };
    if (c.isPunct(close)) return { exprs, trailingComma: true };
  }
}

function compare(c: Cursor, op: CompareOperationOp, left: Expr, tokens: number): Expr {
  for (let i = 0; i < tokens; i += 1) c.next();
  const right = parseExprAt(c, PREC.COMPARE + 1);
  return { kind: 'CompareOperation', op, left, right, start: left.start, end: c.lastEnd };
}

function between(c: Cursor, left: Expr, negated: boolean): Expr {
  c.next();
  if (negated) c.next();
  const low = parseExprAt(c, PREC.NOT);
  c.expectKw('AND');
  const high = parseExprAt(c, PREC.BETWEEN + 1);
  return { kind: 'BetweenExpr', expr: left, low, high, negated, start: left.start, end: c.lastEnd };
}

function logical(c: Cursor, kind: 'And' | 'Or', left: Expr): Expr {
  c.next();
  const right = parseExprAt(c, kind === 'And' ? PREC.NOT : PREC.AND);
  // PostHog flattens nested ANDs and ORs, parenthesised or not: a AND (b AND c) is And[a, b, c]. The left list
  // grows in place, so that a chain of n ANDs takes linear time.
  const exprs = left.kind === kind ? left.exprs : [left];
  if (right.kind === kind) exprs.push(...right.exprs);
  else exprs.push(right);
  return { kind, exprs, start: left.start, end: c.lastEnd };
}

function keywordInfix(c: Cursor, left: Expr, minPrec: number): Expr | undefined {
  const word = c.peek().upper;
  const at = (prec: number): boolean => prec >= minPrec;
  switch (word) {
    case 'AS': {
      if (!at(PREC.ALIAS)) return undefined;
      c.next();
      const name = c.peek();
      if (!isName(name) && name.type !== 'string') c.fail('Expected an alias');
      c.next();
      return { kind: 'Alias', alias: aliasOf(name), expr: left, start: left.start, end: c.lastEnd };
    }
    case 'OR':
      return at(PREC.OR) ? logical(c, 'Or', left) : undefined;
    case 'AND':
      return at(PREC.AND) ? logical(c, 'And', left) : undefined;
    case 'BETWEEN':
      return at(PREC.BETWEEN) ? between(c, left, false) : undefined;
    case 'IS': {
      if (!at(PREC.IS)) return undefined;
      c.next();
      const op = c.acceptKw('NOT') ? '!=' : '==';
      const nul = c.expectKw('NULL');
      const right = constant(null, nul.start, nul.end);
      return { kind: 'CompareOperation', op, left, right, start: left.start, end: c.lastEnd };
    }
    case 'IN':
      if (!at(PREC.COMPARE)) return undefined;
      return c.isKw('COHORT', 1) ? compare(c, 'in cohort', left, 2) : compare(c, 'in', left, 1);
    case 'LIKE':
    case 'ILIKE':
      return at(PREC.COMPARE) ? compare(c, word === 'LIKE' ? 'like' : 'ilike', left, 1) : undefined;
    case 'NOT': {
      const after = c.peek(1).type === 'ident' ? c.peek(1).upper : '';
      if (after === 'BETWEEN') return at(PREC.BETWEEN) ? between(c, left, true) : undefined;
      if (!at(PREC.COMPARE)) return undefined;
      if (after === 'IN')
        return c.isKw('COHORT', 2) ? compare(c, 'not in cohort', left, 3) : compare(c, 'not in', left, 2);
      if (after === 'LIKE' || after === 'ILIKE')
        return compare(c, after === 'LIKE' ? 'not like' : 'not ilike', left, 2);
      return undefined;
    }
    default:
      return undefined;
  }
}

function concat(c: Cursor, left: Expr): Expr {
  c.next();
  const right = parseExprAt(c, PREC.ADD + 1);
  // As PostHog: `a || b || c` and `concat(a, b) || c` both become one concat(a, b, c), grown in place.
  const isConcat = (e: Expr): e is Call => e.kind === 'Call' && e.name === 'concat';
  const args = isConcat(left) ? left.args : [left];
  if (isConcat(right)) args.push(...right.args);
  else args.push(right);
  return syntheticCall('concat', args, left.start, c.lastEnd);
}

function punctInfix(c: Cursor, left: Expr, minPrec: number): Expr | undefined {
  const p = c.peek().value;
  const cmp = COMPARE_PUNCT[p];
  if (cmp) return PREC.COMPARE >= minPrec ? compare(c, cmp, left, 1) : undefined;
  const arithmetic = ARITHMETIC[p];
  if (arithmetic) {
    if (arithmetic.prec < minPrec) return undefined;
    c.next();
    const right = parseExprAt(c, arithmetic.prec + 1);
    return { kind: 'ArithmeticOperation', op: arithmetic.op, left, right, start: left.start, end: c.lastEnd };
  }
  if (p === '||') return PREC.ADD >= minPrec ? concat(c, left) : undefined;
  if (p === '??') {
    if (PREC.NULLISH < minPrec) return undefined;
    c.next();
    const right = parseExprAt(c, PREC.NULLISH + 1);
    return syntheticCall('ifNull', [left, right], left.start, c.lastEnd);
  }
  if (p === '?') {
    if (PREC.TERNARY < minPrec) return undefined;
    c.next();
    const then = parseExprAt(c);
    c.expectPunct(':');
    const otherwise = parseExprAt(c, PREC.TERNARY);
    return syntheticCall('if', [left, then, otherwise], left.start, c.lastEnd);
  }
  return undefined;
}

/** Applies the binary or postfix operator at the cursor to `left`, if there is one binding at least `minPrec`. */
function parseInfix(c: Cursor, left: Expr, minPrec: number): Expr | undefined {
  const accessed = parseAccessor(c, left);
  if (accessed) return accessed;
  const token = c.peek();
  if (token.type === 'ident') return keywordInfix(c, left, minPrec);
  if (token.type === 'punct') return punctInfix(c, left, minPrec);
  return undefined;
}
