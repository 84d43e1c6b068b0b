/**
 * Regex filters: SQLite in D1 has no REGEXP, so the distinct values of the key
 * in the query's scope are read once per key (filters on the same key share the
 * read), slice by slice (slices.ts), and tested here with re2js (RE2: linear
 * time, ClickHouse match()'s syntax), in chunks that yield to other requests,
 * within the query's budget.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { budgetOf, tooExpensive, yieldToOthers } from './budget';
import { eventSlices, sliceFrom, sliceWhere } from './event-slices';
import { propertyText } from './filters';
import { indexScopesOf } from './slices';
import { type EventScope, run } from './source';
import type { Needs, PropertySource, RegexResolver } from './types';

/** Upper bound on the distinct values a regex filter tests in the Worker. */
const MAX_REGEX_VALUES = 200_000;
/** Values tested between two yields to the other requests of the isolate. */
const REGEX_CHUNK = 2_000;

export function regexResolver(db: Db, scope: EventScope): RegexResolver {
  const valuesOf = new Map<PropertySource, Map<string, Promise<string[]>>>();
  const read = async (source: PropertySource, key: string, attr: string): Promise<string[]> => {
    const budget = budgetOf(db);
    budget?.chargeRegexScan(attr);
    const needs: Needs = { person: false };
    source.require(needs);
    const value = propertyText(source.column, key);
    const values = new Set<string>();
    for (const range of indexScopesOf(scope)) {
      for await (const slice of eventSlices(db, range, needs)) {
        const rows = await run<{ v: string | null }>(
          db,
          sql`SELECT DISTINCT ${value} AS v FROM ${sliceFrom(needs, range)} WHERE ${sliceWhere(needs, range, slice)}`,
        );
        for (const r of rows) if (r.v !== null) values.add(r.v);
        if (values.size > MAX_REGEX_VALUES) {
          throw tooExpensive(
            `A regex filter on "${key}" would test more than ${MAX_REGEX_VALUES} distinct values; narrow the date range.`,
            attr,
          );
        }
      }
    }
    return [...values];
  };
  return async (source, key, pattern, attr) => {
    let byKey = valuesOf.get(source);
    if (!byKey) valuesOf.set(source, (byKey = new Map()));
    let values = byKey.get(key);
    if (!values) byKey.set(key, (values = read(source, key, attr)));
    const all = await values;
    const budget = budgetOf(db);
    const matching: string[] = [];
    for (let i = 0; i < all.length; i += REGEX_CHUNK) {
      const chunk = all.slice(i, i + REGEX_CHUNK);
      if (budget) {
        budget.chargeRegexChars(
          chunk.reduce((n, v) => n + v.length, 0),
          attr,
        );
        budget.checkDeadline();
      }
      for (const v of chunk) if (pattern.matcher(v).find()) matching.push(v);
      if (i + REGEX_CHUNK < all.length) await yieldToOthers();
    }
    return matching;
  };
}
