// A HogQL AST shaped after PostHog's posthog/hogql/ast.py: the same node names (in `kind`) and the same
// field names, snake_case included, so PostHog's printer and resolver read across directly.
// `start`/`end` are character offsets into the parsed text (end exclusive).

export interface Span {
  start: number;
  end: number;
}

type ConstantValue = string | number | boolean | null;

export interface Constant extends Span {
  kind: 'Constant';
  value: ConstantValue;
}

/** `a.b.c` is one Field with chain ['a', 'b', 'c']; `*` and `t.*` end the chain with '*'. */
export interface Field extends Span {
  kind: 'Field';
  chain: string[];
}

export interface Call extends Span {
  kind: 'Call';
  name: string;
  args: Expr[];
  /** Parametric calls: `quantile(0.9)(x)` has params [0.9] and args [x]. */
  params?: Expr[];
  distinct: boolean;
}

export type CompareOperationOp =
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'like'
  | 'ilike'
  | 'not like'
  | 'not ilike'
  | 'in'
  | 'not in'
  | 'in cohort'
  | 'not in cohort'
  | '=~'
  | '=~*'
  | '!~'
  | '!~*';

export interface CompareOperation extends Span {
  kind: 'CompareOperation';
  op: CompareOperationOp;
  left: Expr;
  right: Expr;
}

export type ArithmeticOperationOp = '+' | '-' | '*' | '/' | '%';

export interface ArithmeticOperation extends Span {
  kind: 'ArithmeticOperation';
  op: ArithmeticOperationOp;
  left: Expr;
  right: Expr;
}

export interface And extends Span {
  kind: 'And';
  exprs: Expr[];
}

export interface Or extends Span {
  kind: 'Or';
  exprs: Expr[];
}

export interface Not extends Span {
  kind: 'Not';
  expr: Expr;
}

export interface Alias extends Span {
  kind: 'Alias';
  alias: string;
  expr: Expr;
}

export interface Tuple extends Span {
  kind: 'Tuple';
  exprs: Expr[];
}

/** PostHog's `ast.Array` (renamed here so it does not shadow the global Array). */
interface ArrayExpr extends Span {
  kind: 'Array';
  exprs: Expr[];
}

/** `x[1]`, and `.name` after anything that is not a plain Field (`f(x).y`: property Constant 'y'). */
export interface ArrayAccess extends Span {
  kind: 'ArrayAccess';
  array: Expr;
  property: Expr;
}

/** `x.1` (1-based, as in ClickHouse). */
export interface TupleAccess extends Span {
  kind: 'TupleAccess';
  tuple: Expr;
  index: number;
}

export interface Lambda extends Span {
  kind: 'Lambda';
  args: string[];
  expr: Expr;
}

/** `{filters}`: expr is Field{chain: ['filters']}; `{a.b}` has chain ['a', 'b']. */
export interface Placeholder extends Span {
  kind: 'Placeholder';
  expr: Expr;
}

export interface BetweenExpr extends Span {
  kind: 'BetweenExpr';
  expr: Expr;
  low: Expr;
  high: Expr;
  negated: boolean;
}

export interface OrderExpr extends Span {
  kind: 'OrderExpr';
  expr: Expr;
  order: 'ASC' | 'DESC';
  /** Kept for the compiler's sake: PostHog's parser drops NULLS FIRST/LAST. */
  nulls?: 'FIRST' | 'LAST';
}

export interface JoinConstraint extends Span {
  kind: 'JoinConstraint';
  expr: Expr;
  constraint_type: 'ON' | 'USING';
}

export type JoinType =
  | 'JOIN'
  | 'INNER JOIN'
  | 'LEFT JOIN'
  | 'LEFT OUTER JOIN'
  | 'RIGHT JOIN'
  | 'RIGHT OUTER JOIN'
  | 'FULL JOIN'
  | 'FULL OUTER JOIN'
  | 'CROSS JOIN';

/** One table of a FROM clause; the following joined tables hang off next_join, the first has no join_type. */
export interface JoinExpr extends Span {
  kind: 'JoinExpr';
  table: Field | SelectQuery | SelectSetQuery | Placeholder;
  /** Table functions: `numbers(10)` is table Field['numbers'] with table_args [10]. */
  table_args?: Expr[];
  alias?: string;
  join_type?: JoinType;
  constraint?: JoinConstraint;
  next_join?: JoinExpr;
}

/** `WITH name AS (select)` is cte_type 'subquery'; ClickHouse's `WITH expr AS name` is 'column'. */
export interface CTE extends Span {
  kind: 'CTE';
  name: string;
  expr: Expr;
  cte_type: 'subquery' | 'column';
}

export interface SelectQuery extends Span {
  kind: 'SelectQuery';
  ctes?: CTE[];
  distinct: boolean;
  select: Expr[];
  select_from?: JoinExpr;
  prewhere?: Expr;
  where?: Expr;
  group_by?: Expr[];
  having?: Expr;
  order_by?: OrderExpr[];
  limit?: Expr;
  offset?: Expr;
}

export interface SelectSetNode {
  select_query: SelectQuery | SelectSetQuery;
  set_operator: 'UNION ALL';
}

export interface SelectSetQuery extends Span {
  kind: 'SelectSetQuery';
  initial_select_query: SelectQuery | SelectSetQuery;
  subsequent_select_queries: SelectSetNode[];
}

export type Expr =
  | Constant
  | Field
  | Call
  | CompareOperation
  | ArithmeticOperation
  | And
  | Or
  | Not
  | Alias
  | Tuple
  | ArrayExpr
  | ArrayAccess
  | TupleAccess
  | Lambda
  | Placeholder
  | BetweenExpr
  | SelectQuery
  | SelectSetQuery;
