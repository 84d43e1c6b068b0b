/**
 * A HogQL AST printed back as HogQL, as PostHog's printer does in its `hogql`
 * dialect: operators as functions (`equals(event, '$pageview')`), keywords in
 * capitals, identifiers quoted with backquotes only when needed. The query
 * endpoint answers it as `hogql`, and names result columns with it.
 */
import type { Expr, JoinExpr, OrderExpr, SelectQuery, SelectSetQuery } from './ast';

const COMPARE_NAMES: Record<string, string> = {
  '==': 'equals',
  '!=': 'notEquals',
  '<': 'less',
  '<=': 'lessOrEquals',
  '>': 'greater',
  '>=': 'greaterOrEquals',
  like: 'like',
  ilike: 'ilike',
  'not like': 'notLike',
  'not ilike': 'notILike',
  in: 'in',
  'not in': 'notIn',
  'in cohort': 'inCohort',
  'not in cohort': 'notInCohort',
  '=~': 'match',
  '=~*': 'match',
  '!~': 'notMatch',
  '!~*': 'notMatch',
};
const ARITHMETIC_NAMES: Record<string, string> = {
  '+': 'plus',
  '-': 'minus',
  '*': 'multiply',
  '/': 'divide',
  '%': 'modulo',
};

export function printIdentifier(name: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) return name;
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export function printString(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\0/g, '\\0');
  return `'${escaped}'`;
}

const list = (exprs: Expr[]) => exprs.map(printExpr).join(', ');

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'Constant':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'string') return printString(e.value);
      return String(e.value);
    case 'Field':
      return e.chain.map((part) => (part === '*' ? '*' : printIdentifier(part))).join('.');
    case 'Call': {
      const params = e.params ? `(${list(e.params)})` : '';
      return `${printIdentifier(e.name)}${params}(${e.distinct ? 'DISTINCT ' : ''}${list(e.args)})`;
    }
    case 'CompareOperation':
      return `${COMPARE_NAMES[e.op]}(${printExpr(e.left)}, ${printExpr(e.right)})`;
    case 'ArithmeticOperation':
      return `${ARITHMETIC_NAMES[e.op]}(${printExpr(e.left)}, ${printExpr(e.right)})`;
    case 'And':
      return `and(${list(e.exprs)})`;
    case 'Or':
      return `or(${list(e.exprs)})`;
    case 'Not':
      return `not(${printExpr(e.expr)})`;
    case 'Alias':
      return `${printExpr(e.expr)} AS ${printIdentifier(e.alias)}`;
    case 'Tuple':
      return `tuple(${list(e.exprs)})`;
    case 'Array':
      return `[${list(e.exprs)}]`;
    case 'ArrayAccess':
      return `${printExpr(e.array)}[${printExpr(e.property)}]`;
    case 'TupleAccess':
      return `${printExpr(e.tuple)}.${e.index}`;
    case 'Lambda':
      return `(${e.args.map(printIdentifier).join(', ')}) -> ${printExpr(e.expr)}`;
    case 'Placeholder':
      return `{${printExpr(e.expr)}}`;
    case 'BetweenExpr':
      return `${printExpr(e.expr)} ${e.negated ? 'NOT ' : ''}BETWEEN ${printExpr(e.low)} AND ${printExpr(e.high)}`;
    case 'SelectQuery':
    case 'SelectSetQuery':
      return `(${printSelect(e)})`;
  }
}

function printJoin(j: JoinExpr): string {
  const table =
    j.table.kind === 'Field'
      ? printExpr(j.table)
      : j.table.kind === 'Placeholder'
        ? printExpr(j.table)
        : `(${printSelect(j.table)})`;
  const args = j.table_args ? `(${list(j.table_args)})` : '';
  const alias = j.alias ? ` AS ${printIdentifier(j.alias)}` : '';
  const on = j.constraint ? ` ${j.constraint.constraint_type} ${printExpr(j.constraint.expr)}` : '';
  const head = j.join_type ? `${j.join_type} ` : '';
  const next = j.next_join ? ` ${printJoin(j.next_join)}` : '';
  return `${head}${table}${args}${alias}${on}${next}`;
}

const printOrder = (o: OrderExpr) => `${printExpr(o.expr)} ${o.order}`;

export function printSelect(q: SelectQuery | SelectSetQuery): string {
  if (q.kind === 'SelectSetQuery') {
    return [q.initial_select_query, ...q.subsequent_select_queries.map((s) => s.select_query)]
      .map((s) => (s.kind === 'SelectSetQuery' ? `(${printSelect(s)})` : printSelect(s)))
      .join(' UNION ALL ');
  }
  const parts: string[] = [];
  if (q.ctes?.length) {
    const ctes = q.ctes.map((c) =>
      c.cte_type === 'subquery'
        ? `${printIdentifier(c.name)} AS ${printExpr(c.expr)}`
        : `${printExpr(c.expr)} AS ${printIdentifier(c.name)}`,
    );
    parts.push(`WITH ${ctes.join(', ')}`);
  }
  parts.push(`SELECT ${q.distinct ? 'DISTINCT ' : ''}${list(q.select)}`);
  if (q.select_from) parts.push(`FROM ${printJoin(q.select_from)}`);
  if (q.prewhere) parts.push(`PREWHERE ${printExpr(q.prewhere)}`);
  if (q.where) parts.push(`WHERE ${printExpr(q.where)}`);
  if (q.group_by?.length) parts.push(`GROUP BY ${list(q.group_by)}`);
  if (q.having) parts.push(`HAVING ${printExpr(q.having)}`);
  if (q.order_by?.length) parts.push(`ORDER BY ${q.order_by.map(printOrder).join(', ')}`);
  if (q.limit) parts.push(`LIMIT ${printExpr(q.limit)}`);
  if (q.offset) parts.push(`OFFSET ${printExpr(q.offset)}`);
  return parts.join(' ');
}
