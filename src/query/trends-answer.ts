/**
 * The last steps of a TrendsQuery answer, over the series' result objects, in
 * PostHog's order: the cumulative display (a running sum per series, `count`
 * its last value), then formulas (trends-formula.ts), then `hasMore` and
 * `breakdown_hide_other_aggregation`.
 */
import { QueryError } from './errors';
import { isOtherValue } from './breakdowns';
import type { TrendsQueryInput } from './schema';
import { formulaNodesOf, formulaResults } from './trends-formula';
import type { TrendsResult } from './trends-results';

/** Maths whose cumulative form counts each actor once, at their first bucket (not yet computed here). */
const FIRST_SEEN_CUMULATIVE = new Set(['dau', 'unique_group']);

/** Refuses, before any SQL runs, what the answer cannot be computed for; parses the formulas. */
export function checkTrendsQuery(query: TrendsQueryInput): void {
  formulaNodesOf(query);
  if (query.trendsFilter?.display === 'ActionsLineGraphCumulative') {
    for (const [i, s] of query.series.entries()) {
      if (FIRST_SEEN_CUMULATIVE.has(s.math ?? 'total')) {
        throw QueryError.badField(
          `query.series.${i}.math`,
          `query.series.${i}.math: the cumulative display with math "${s.math}" (each actor counted once, ` +
            'from their first interval) is not supported; use another display or math.',
        );
      }
    }
  }
}

function cumulative(r: TrendsResult): TrendsResult {
  const data = r.data as number[];
  let running = 0;
  const sums = data.map((v) => (running += v));
  return { ...r, data: sums, count: sums.at(-1) ?? 0 };
}

/** `perPeriod[p][s]`: the result objects of series s in period p (current, then previous). */
export function trendsAnswer(
  query: TrendsQueryInput,
  aggregate: boolean,
  perPeriod: TrendsResult[][][],
): { results: TrendsResult[]; hasMore: boolean } {
  let periods = perPeriod;
  if (!aggregate && query.trendsFilter?.display === 'ActionsLineGraphCumulative') {
    periods = periods.map((series) => series.map((results) => results.map(cumulative)));
  }
  const breakdown = Boolean(query.breakdownFilter?.breakdown || query.breakdownFilter?.breakdowns?.length);
  const nodes = formulaNodesOf(query);
  let results = nodes.length ? formulaResults(nodes, periods, breakdown, aggregate) : periods.flat(2);
  const isOther = (r: TrendsResult) => isOtherValue(r.breakdown_value);
  const hasMore = breakdown && results.some(isOther);
  if (query.breakdownFilter?.breakdown_hide_other_aggregation) results = results.filter((r) => !isOther(r));
  return { results, hasMore };
}
