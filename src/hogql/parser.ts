import type { Expr, SelectQuery, SelectSetQuery } from './ast';
import { Cursor, type Grammar } from './cursor';
import { parseExprAt, parseExprList } from './expr-parser';
import { parseSelectSet } from './select-parser';

const GRAMMAR: Grammar = { expr: parseExprAt, exprList: parseExprList, selectSet: parseSelectSet };

export { MAX_DEPTH } from './cursor';
export { MAX_QUERY_LENGTH, MAX_TOKENS } from './lexer';
export { HogQLSyntaxError } from './errors';

/** Parses a HogQL SELECT (or UNION ALL of SELECTs); throws HogQLSyntaxError. One trailing ';' is allowed. */
export function parseSelect(text: string): SelectQuery | SelectSetQuery {
  const c = new Cursor(text, GRAMMAR);
  const query = parseSelectSet(c);
  c.acceptPunct(';');
  if (c.peek().type !== 'eof') c.fail();
  return query;
}

/** Parses one HogQL expression; throws HogQLSyntaxError. */
export function parseExpr(text: string): Expr {
  const c = new Cursor(text, GRAMMAR);
  const expr = parseExprAt(c);
  if (c.peek().type !== 'eof') c.fail();
  return expr;
}
