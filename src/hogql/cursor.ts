import { HogQLSyntaxError } from './errors';
import type { Expr, SelectQuery, SelectSetQuery } from './ast';
import { tokenize, type Token } from './lexer';

/**
 * The grammar's recursive entry points. Rules in one file reach rules in another through these (set by parser.ts)
 * instead of importing each other, so the rule files import in one direction only.
 */
export interface Grammar {
  expr(c: Cursor, minPrec?: number): Expr;
  exprList(c: Cursor, close: string, allowEmpty: boolean): { exprs: Expr[]; trailingComma: boolean };
  selectSet(c: Cursor): SelectQuery | SelectSetQuery;
}

/** Deepest nesting (parentheses, calls, subqueries, operators waiting for an operand) a text may have. */
export const MAX_DEPTH = 64;

// Every keyword of PostHog's HogQL lexer: an unquoted identifier that is one of these is not an IDENTIFIER to
// the grammar, which matters where only plain identifiers may stand (implicit aliases).
const KEYWORDS = new Set(
  (
    'ALL AND ANTI ANY ARRAY AS ASC ASCENDING ASOF BETWEEN BOTH BY CASE CAST CATCH COHORT COLLATE COLUMNS CROSS CUBE ' +
    'CURRENT DATE DAY DESC DESCENDING DISTINCT ELSE END EXCEPT EXCLUDE EXTRACT FINAL FILL FILTER FINALLY FIRST FN ' +
    'FOLLOWING FOR FROM FULL FUN GROUP GROUPING HAVING HOUR ID IF ILIKE IGNORE INCLUDE IN INF INFINITY INNER INTERSECT ' +
    'INTERPOLATE INTERVAL IS JOIN KEY LAMBDA LAST LEADING LEFT LET LIKE LIMIT MATERIALIZED MINUTE MONTH NAME NATURAL ' +
    'NAN NOT NULL NULLS OFFSET ON OR ORDER OUTER OVER PARTITION PIVOT POSITIONAL PRECEDING PREWHERE QUALIFY QUARTER ' +
    'RANGE RECURSIVE REPLACE RETURN RIGHT ROLLUP ROW ROWS SAMPLE SECOND SELECT SEMI SETS SETTINGS STEP SUBSTRING ' +
    'THEN THROW TIES TIMESTAMP TIME LOCAL ZONE TO TOP TOTALS TRAILING TRIM TRUNCATE TRY TRY_CAST UNBOUNDED UNION ' +
    'UNPIVOT USING VALUES WEEK WHEN WHERE WHILE WINDOW WITH WITHIN YEAR YYYY'
  ).split(' '),
);

// Keywords that are literals and never names, unlike every other keyword.
const NOT_NAMES = new Set(['NULL', 'INF', 'INFINITY', 'NAN']);
// Names PostHog refuses as aliases unless quoted with backquotes or double quotes.
const RESERVED_ALIASES = new Set(['true', 'false', 'null', 'team_id']);

export function isKeyword(token: Token): boolean {
  return token.type === 'ident' && KEYWORDS.has(token.upper);
}

/** Whether the token can be an identifier: any word (keywords included) but NULL, INF and NAN, or a quoted name. */
export function isName(token: Token): boolean {
  return token.type === 'quoted' || (token.type === 'ident' && !NOT_NAMES.has(token.upper));
}

/** The alias the token spells; true, false, null and team_id are refused unless quoted as identifiers. */
export function aliasOf(token: Token): string {
  if (token.type !== 'quoted' && RESERVED_ALIASES.has(token.value.toLowerCase())) {
    const message = `"${token.value}" cannot be an alias, as it is a reserved keyword, at ${token.start}`;
    throw new HogQLSyntaxError(message, token.start, token.end);
  }
  return token.value;
}

function quote(token: Token): string {
  if (token.type === 'eof') return 'end of query';
  if (token.type === 'string') return 'string literal';
  return `'${token.value}'`;
}

/** The parser's position in the token list, with the helpers every rule uses. */
export class Cursor {
  private readonly tokens: Token[];
  private pos = 0;
  private depth = 0;
  /** End offset of the last token consumed: the end of the node being built. */
  lastEnd = 0;
  /** Token index before which no `a, b -> ...` lambda can start (see bareLambdaArgs). */
  noBareLambdaBefore = 0;

  constructor(
    text: string,
    readonly grammar: Grammar,
  ) {
    this.tokens = tokenize(text);
  }

  /** Index of the current token. */
  get index(): number {
    return this.pos;
  }

  peek(ahead = 0): Token {
    const last = this.tokens.length - 1;
    return this.tokens[Math.min(this.pos + ahead, last)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.pos += 1;
    this.lastEnd = token.end;
    return token;
  }

  /** Whether the token `ahead` is the unquoted keyword `word` (upper case). */
  isKw(word: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'ident' && token.upper === word;
  }

  isPunct(value: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return token.type === 'punct' && token.value === value;
  }

  acceptKw(word: string): boolean {
    if (!this.isKw(word)) return false;
    this.next();
    return true;
  }

  acceptPunct(value: string): boolean {
    if (!this.isPunct(value)) return false;
    this.next();
    return true;
  }

  expectKw(word: string): Token {
    if (!this.isKw(word)) this.fail(`Expected ${word}`);
    return this.next();
  }

  expectPunct(value: string): Token {
    if (!this.isPunct(value)) this.fail(`Expected '${value}'`);
    return this.next();
  }

  /** Throws for the current token: "Unexpected token ',' at 12", or `what` followed by what was found instead. */
  fail(what?: string, token: Token = this.peek()): never {
    const found = quote(token);
    const message = what
      ? `${what} but found ${found} at ${token.start}`
      : `Unexpected ${token.type === 'eof' ? '' : 'token '}${found} at ${token.start}`;
    throw new HogQLSyntaxError(message, token.start, token.end);
  }

  unsupported(what: string, token: Token = this.peek()): never {
    throw new HogQLSyntaxError(`Unsupported: ${what} at ${token.start}`, token.start, token.end);
  }

  /** Runs `rule` one nesting level deeper, so that no text can recurse past MAX_DEPTH. */
  nested<T>(rule: () => T): T {
    if (this.depth >= MAX_DEPTH) {
      const token = this.peek();
      throw new HogQLSyntaxError(
        `Query nests deeper than ${MAX_DEPTH} levels at ${token.start}`,
        token.start,
        token.end,
      );
    }
    this.depth += 1;
    try {
      return rule();
    } finally {
      this.depth -= 1;
    }
  }
}
