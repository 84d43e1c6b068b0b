/**
 * The shapes the query compilers share: what a compiled expression needs joined
 * (`Needs`), where a filter's properties are read (`PropertySource`), who a series
 * counts (`AggregationTarget`) and how a regex filter is resolved (`RegexResolver`).
 * Types only, so every query module can import them without an import cycle.
 */
import type { SQL } from 'drizzle-orm';
import type { RE2JS } from 're2js';

/** Which joins a compiled expression needs from the events source. */
export interface Needs {
  person: boolean;
  /** Reads the event row itself (properties), not only the columns the event indexes carry. */
  row?: boolean;
}

export interface PropertySource {
  /** The JSON column holding this source's properties. */
  column: SQL;
  /** Marks the joins the column needs. */
  require(needs: Needs): void;
}

/**
 * Who a series counts (`dau`, funnels, retention): persons (src/query/source.ts)
 * or the groups of one type (src/query/groups.ts).
 */
export interface AggregationTarget {
  actor: SQL;
  require(needs: Needs): void;
}

/**
 * Resolves a regex filter (at `attr`) to the property's matching text values
 * (SQLite in D1 has no REGEXP).
 */
export type RegexResolver = (source: PropertySource, key: string, pattern: RE2JS, attr: string) => Promise<string[]>;
