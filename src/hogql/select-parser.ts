import type { CTE, Expr, JoinExpr, JoinType, OrderExpr, SelectQuery, SelectSetNode, SelectSetQuery } from './ast';
import { aliasOf, type Cursor, isKeyword, isName } from './cursor';
import { parseExprAt, parseExprList } from './expr-parser';
import { PREC } from './expr-nodes';
import { parsePlaceholder } from './expr-primary';
import type { Token } from './lexer';

// Keywords PostHog's grammar still accepts as an alias without AS: after a column, and after a table.
const COLUMN_ALIAS_KEYWORDS = new Set('ASC ASCENDING COHORT DATE DESCENDING FINAL ID RETURN TOP TOTALS'.split(' '));
const TABLE_ALIAS_KEYWORDS = new Set(['DATE', 'FIRST', 'ID', 'KEY']);
const UNSUPPORTED_JOINS = new Set('ANY ALL SEMI ANTI ASOF NATURAL POSITIONAL ARRAY GLOBAL PASTE'.split(' '));

type Query = SelectQuery | SelectSetQuery;

function isImplicitAlias(token: Token, keywords: Set<string>): boolean {
  return token.type === 'quoted' || (token.type === 'ident' && (!isKeyword(token) || keywords.has(token.upper)));
}

function expectName(c: Cursor, what: string): Token {
  if (!isName(c.peek())) c.fail(`Expected ${what}`);
  return c.next();
}

/** SELECT ... [UNION ALL SELECT ...]*, each part possibly parenthesised. */
export function parseSelectSet(c: Cursor): Query {
  return c.nested(() => {
    const start = c.peek().start;
    const first = parseSelectWithParens(c);
    const rest: SelectSetNode[] = [];
    for (;;) {
      if (c.isKw('UNION') && c.isKw('ALL', 1)) {
        c.next();
        c.next();
        rest.push({ select_query: parseSelectWithParens(c), set_operator: 'UNION ALL' });
      } else if (c.isKw('UNION') || c.isKw('EXCEPT') || c.isKw('INTERSECT')) {
        c.unsupported(`${c.peek().upper} without ALL (only UNION ALL is)`);
      } else {
        break;
      }
    }
    if (!rest.length) return first;
    return {
      kind: 'SelectSetQuery',
      initial_select_query: first,
      subsequent_select_queries: rest,
      start,
      end: c.lastEnd,
    };
  });
}

function parseSelectWithParens(c: Cursor): Query {
  if (!c.acceptPunct('(')) return parseSelectQuery(c);
  const query = parseSelectSet(c);
  c.expectPunct(')');
  return query;
}

function parseCtes(c: Cursor): CTE[] {
  c.expectKw('WITH');
  if (c.isKw('RECURSIVE')) c.unsupported('WITH RECURSIVE');
  const ctes: CTE[] = [];
  do {
    const start = c.peek().start;
    if (isName(c.peek()) && c.isKw('AS', 1) && c.isPunct('(', 2)) {
      const name = c.next().value;
      c.next();
      c.next();
      const expr = parseSelectSet(c);
      c.expectPunct(')');
      ctes.push({ kind: 'CTE', name, expr, cte_type: 'subquery', start, end: c.lastEnd });
    } else {
      // ClickHouse's WITH <expr> AS <name>: the expression stops before AS, which is not an alias here.
      const expr = parseExprAt(c, PREC.TERNARY);
      c.expectKw('AS');
      const name = expectName(c, 'a name for the WITH expression').value;
      ctes.push({ kind: 'CTE', name, expr, cte_type: 'column', start, end: c.lastEnd });
    }
  } while (c.acceptPunct(',') && !c.isKw('SELECT'));
  return ctes;
}

function parseColumn(c: Cursor): Expr {
  const first = c.peek();
  // PostHog's `SELECT name: expr` form.
  if (isName(first) && c.isPunct(':', 1)) {
    c.next();
    c.next();
    const expr = parseExprAt(c);
    return { kind: 'Alias', alias: aliasOf(first), expr, start: first.start, end: c.lastEnd };
  }
  // `SELECT FROM events` is a forgotten column, not the column `from` named `events`.
  if (c.isKw('FROM') && isImplicitAlias(c.peek(1), COLUMN_ALIAS_KEYWORDS)) c.fail('Expected a column');
  const expr = parseExprAt(c);
  if (!isImplicitAlias(c.peek(), COLUMN_ALIAS_KEYWORDS)) return expr;
  const alias = aliasOf(c.next());
  return { kind: 'Alias', alias, expr, start: expr.start, end: c.lastEnd };
}

const CLAUSES = ['WHERE', 'PREWHERE', 'HAVING', 'LIMIT', 'OFFSET'];
const TWO_WORD_CLAUSES: Record<string, string> = { GROUP: 'BY', ORDER: 'BY', UNION: 'ALL' };

// After a trailing comma: whether the next clause starts here. As in PostHog, a clause keyword followed by FROM or
// a comma is a column instead (`SELECT a, offset FROM t`).
function clauseFollows(c: Cursor): boolean {
  if (c.isKw('FROM') || c.isPunct(')') || c.isPunct(';') || c.peek().type === 'eof') return true;
  const word = c.peek().type === 'ident' ? c.peek().upper : '';
  const second = TWO_WORD_CLAUSES[word];
  const length = CLAUSES.includes(word) ? 1 : second && c.isKw(second, 1) ? 2 : 0;
  return length > 0 && !c.isKw('FROM', length) && !c.isPunct(',', length);
}

function parseColumns(c: Cursor): Expr[] {
  const columns = [parseColumn(c)];
  while (c.acceptPunct(',')) {
    if (clauseFollows(c)) break;
    columns.push(parseColumn(c));
  }
  return columns;
}

function parseTable(c: Cursor): JoinExpr {
  const start = c.peek().start;
  let join: JoinExpr;
  if (c.isPunct('(')) {
    if (!c.isKw('SELECT', 1) && !c.isKw('WITH', 1) && !c.isPunct('(', 1)) c.unsupported('parenthesised joins');
    c.next();
    const table = parseSelectSet(c);
    c.expectPunct(')');
    join = { kind: 'JoinExpr', table, start, end: c.lastEnd };
  } else if (c.isPunct('{')) {
    join = { kind: 'JoinExpr', table: parsePlaceholder(c), start, end: c.lastEnd };
  } else {
    const chain = [expectName(c, 'a table').value];
    while (c.acceptPunct('.')) chain.push(expectName(c, 'a table name').value);
    join = { kind: 'JoinExpr', table: { kind: 'Field', chain, start, end: c.lastEnd }, start, end: c.lastEnd };
    if (c.acceptPunct('(')) {
      join.table_args = parseExprList(c, ')', true).exprs;
      c.expectPunct(')');
    }
  }
  if (c.acceptKw('AS')) {
    join.alias = aliasOf(expectName(c, 'a table alias'));
  } else if (isImplicitAlias(c.peek(), TABLE_ALIAS_KEYWORDS)) {
    join.alias = aliasOf(c.next());
  }
  if (c.isKw('FINAL') || c.isKw('SAMPLE')) c.unsupported(c.peek().upper);
  join.end = c.lastEnd;
  return join;
}

/** The join operator at the cursor, consumed, or undefined if the FROM clause goes no further. */
function parseJoinType(c: Cursor): JoinType | undefined {
  const word = c.peek().type === 'ident' ? c.peek().upper : '';
  if (word === 'JOIN') {
    c.next();
    return 'JOIN';
  }
  if (UNSUPPORTED_JOINS.has(word)) c.unsupported(`${word} joins`);
  if (!['INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS'].includes(word)) return undefined;
  const outer = word !== 'INNER' && word !== 'CROSS' && c.isKw('OUTER', 1);
  if (!c.isKw('JOIN', outer ? 2 : 1))
    c.unsupported(`${word} ${c.peek(outer ? 2 : 1).value} joins`, c.peek(outer ? 2 : 1));
  c.next();
  if (outer) c.next();
  c.next();
  return `${word}${outer ? ' OUTER' : ''} JOIN` as JoinType;
}

function parseFrom(c: Cursor): JoinExpr {
  const first = parseTable(c);
  let last = first;
  for (;;) {
    let joinType: JoinType | undefined;
    if (c.acceptPunct(',')) joinType = 'CROSS JOIN';
    else joinType = parseJoinType(c);
    if (!joinType) return first;
    const next = parseTable(c);
    next.join_type = joinType;
    if (joinType !== 'CROSS JOIN') {
      const start = c.peek().start;
      let constraintType: 'ON' | 'USING' = 'ON';
      let expr: Expr;
      if (c.acceptKw('USING')) {
        constraintType = 'USING';
        const parens = c.acceptPunct('(');
        expr = parseExprAt(c);
        if (parens) c.expectPunct(')');
      } else {
        c.expectKw('ON');
        expr = parseExprAt(c);
      }
      next.constraint = { kind: 'JoinConstraint', expr, constraint_type: constraintType, start, end: c.lastEnd };
      next.end = c.lastEnd;
    }
    last.next_join = next;
    last = next;
  }
}

function parseOrderBy(c: Cursor): OrderExpr[] {
  const items: OrderExpr[] = [];
  do {
    const expr = parseExprAt(c);
    let order: OrderExpr['order'] = 'ASC';
    if (c.acceptKw('DESC') || c.acceptKw('DESCENDING')) order = 'DESC';
    else if (!c.acceptKw('ASC')) c.acceptKw('ASCENDING');
    const item: OrderExpr = { kind: 'OrderExpr', expr, order, start: expr.start, end: c.lastEnd };
    if (c.acceptKw('NULLS')) {
      if (c.acceptKw('FIRST')) item.nulls = 'FIRST';
      else if (c.expectKw('LAST')) item.nulls = 'LAST';
      item.end = c.lastEnd;
    }
    if (c.isKw('COLLATE')) c.unsupported('COLLATE');
    items.push(item);
  } while (c.acceptPunct(','));
  return items;
}

function parseLimit(c: Cursor, query: SelectQuery): void {
  if (c.acceptKw('LIMIT')) {
    query.limit = parseExprAt(c);
    // PostHog reads `LIMIT a, b` as LIMIT a OFFSET b (ClickHouse would read it as OFFSET a LIMIT b): kept for parity.
    if (c.acceptPunct(',') || c.acceptKw('OFFSET')) query.offset = parseExprAt(c);
    if (c.isKw('BY')) c.unsupported('LIMIT ... BY');
    if (c.isKw('WITH')) c.unsupported('LIMIT ... WITH TIES');
  } else if (c.acceptKw('OFFSET')) {
    query.offset = parseExprAt(c);
  }
}

function parseGroupBy(c: Cursor): Expr[] {
  const special = c.peek().upper;
  if (
    (special === 'ALL' && !c.isPunct('(', 1) && !c.isPunct('.', 1)) ||
    ((special === 'CUBE' || special === 'ROLLUP') && c.isPunct('(', 1))
  ) {
    c.unsupported(`GROUP BY ${special}`);
  }
  if (special === 'GROUPING' && c.isKw('SETS', 1)) c.unsupported('GROUPING SETS');
  const exprs = [parseExprAt(c)];
  while (c.acceptPunct(',')) exprs.push(parseExprAt(c));
  return exprs;
}

function parseSelectQuery(c: Cursor): Query {
  const start = c.peek().start;
  const ctes = c.isKw('WITH') ? parseCtes(c) : undefined;
  if (ctes && c.isPunct('(')) {
    const inner = parseSelectWithParens(c);
    if (inner.kind !== 'SelectQuery' || inner.ctes) c.unsupported('WITH before a parenthesised UNION or WITH');
    return { ...inner, ctes, start, end: c.lastEnd };
  }
  c.expectKw('SELECT');
  const query: SelectQuery = { kind: 'SelectQuery', distinct: c.acceptKw('DISTINCT'), select: [], start, end: start };
  if (ctes) query.ctes = ctes;
  if (c.isKw('TOP')) c.unsupported('TOP');
  query.select = parseColumns(c);
  if (c.acceptKw('FROM')) query.select_from = parseFrom(c);
  if (c.isKw('ARRAY') || (c.isKw('LEFT') && c.isKw('ARRAY', 1))) c.unsupported('ARRAY JOIN');
  if (c.acceptKw('PREWHERE')) query.prewhere = parseExprAt(c);
  if (c.acceptKw('WHERE')) query.where = parseExprAt(c);
  if (c.isKw('GROUP') && c.isKw('BY', 1)) {
    c.next();
    c.next();
    query.group_by = parseGroupBy(c);
    if (c.isKw('WITH')) c.unsupported(`WITH ${c.peek(1).upper}`);
  }
  if (c.acceptKw('HAVING')) query.having = parseExprAt(c);
  if (c.isKw('QUALIFY') || c.isKw('WINDOW')) c.unsupported(c.peek().upper);
  if (c.isKw('ORDER') && c.isKw('BY', 1)) {
    c.next();
    c.next();
    query.order_by = parseOrderBy(c);
  }
  parseLimit(c, query);
  if (c.isKw('SETTINGS')) c.unsupported('SETTINGS');
  query.end = c.lastEnd;
  return query;
}
