/**
 * The compiler's state: what a whole query compiles with (`CompileContext`)
 * and what one SELECT can see (`Scope`: its tables, its select aliases).
 */
import type { SQL } from 'drizzle-orm';
import type { OffsetSegment } from '../query/time';
import type { CTE, Expr, SelectQuery, SelectSetQuery } from './ast';
import type { EventJoins, TableName } from './compile-schema';
import type { Compiled, HType, KnownValue } from './compile-types';

/** `{filters}` compiled by the caller (src/query/hogql-filters.ts) over the events alias `e`. */
export interface FiltersSql {
  sql: SQL;
  /** The filters read the current person's properties (alias `p`). */
  person: boolean;
}

export interface CompileOptions {
  projectId: number;
  timezone: string;
  now: number;
  /** `{name}` placeholders. */
  values?: Record<string, KnownValue | KnownValue[]>;
  filters?: FiltersSql;
}

/** Most tables (including subqueries and CTE uses) one query may read. */
export const MAX_TABLES = 8;

export interface CompileContext extends CompileOptions {
  segmentsOf(timezone: string): OffsetSegment[];
  /** Counts table references against MAX_TABLES. */
  tablesUsed: number;
  aliasCounter: number;
  /** Numbers the SQL result columns (`c1`, `c2`, …) across the query, so no two subqueries share one. */
  columnCounter: number;
  ctes: Map<string, CTE>;
}

export interface OutputColumn {
  /** The name PostHog gives the column (alias, or the printed expression). */
  name: string;
  /** The short name an outer query may also use (`$browser` for `properties.$browser`). */
  lookup?: string;
  /** The SQL column name (`c0`, `c1`, …). */
  column: string;
  type: HType;
  zone?: string;
}

export type ScopeTable =
  | { kind: TableName; names: string[]; alias: string }
  | { kind: 'subquery'; names: string[]; alias: string; columns: OutputColumn[] };

export interface Scope {
  ctx: CompileContext;
  tables: ScopeTable[];
  /** The joins the scope's events table needs (at most one events table per SELECT). */
  joins: EventJoins;
  /** Select aliases, usable in every clause (as ClickHouse allows). */
  aliases: Map<string, Expr>;
  /** Aliases being expanded (a self-referencing alias is an error, not a loop). */
  expanding: Set<string>;
  /** Inside an aggregate's arguments (no nested aggregates). */
  inAggregate: boolean;
  /**
   * Compiles an expression in a scope (this one or a copy of it). The compiler's rule files reach compileExpr
   * through here rather than importing it, so they import in one direction only.
   */
  compile(expr: Expr, scope: Scope): Compiled;
  /** Compiles a nested SELECT (scalar subqueries, IN subqueries). */
  subquery(query: SelectQuery | SelectSetQuery): { sql: SQL; columns: OutputColumn[] };
}
