/**
 * A saved insight's `query`: PostHog's wrapper nodes (`InsightVizNode`, `DataTableNode`,
 * `DataVisualizationNode`) around a source query, or a source query itself. The wrapper's own
 * fields (display options for PostHog's front end) are kept as sent; the source must pass the
 * query endpoint's schema, so what the endpoint would refuse is refused at save time, with
 * the same message and `attr` under `query.source`.
 */
import type { z } from 'zod';
import { AnyQuery, type AnyQueryInput } from '../query/schema';

export const WRAPPER_KINDS = ['InsightVizNode', 'DataTableNode', 'DataVisualizationNode'] as const;
/** A saved query's JSON: far above any real one, far below D1's row limit. */
const MAX_QUERY_BYTES = 64 * 1024;

export interface QueryIssue {
  attr: string;
  detail: string;
}

/** The deepest failing field of a zod failure (as the query endpoint names it). */
export type IssueNamer = (
  issues: readonly z.core.$ZodIssue[],
  prefix: PropertyKey[],
) => { path: PropertyKey[]; message: string };

/** The runnable source of a saved query (the wrapper's `source`, or the query itself). */
export function insightSourceOf(query: Record<string, unknown>): Record<string, unknown> {
  return (WRAPPER_KINDS as readonly unknown[]).includes(query.kind) ? (query.source as Record<string, unknown>) : query;
}

/** Checks a query to save; the parsed source, or the issue naming the bad field. */
export function checkInsightQuery(
  query: unknown,
  deepest: IssueNamer,
): { source: AnyQueryInput } | { issue: QueryIssue } {
  if (!query || typeof query !== 'object' || Array.isArray(query))
    return {
      issue: {
        attr: 'query',
        detail: 'query: expected an object such as {"kind": "InsightVizNode", "source": {...}}.',
      },
    };
  const bytes = new TextEncoder().encode(JSON.stringify(query)).length;
  if (bytes > MAX_QUERY_BYTES)
    return { issue: { attr: 'query', detail: `query: larger than ${MAX_QUERY_BYTES} bytes of JSON.` } };
  const node = query as Record<string, unknown>;
  const wrapped = (WRAPPER_KINDS as readonly unknown[]).includes(node.kind);
  if (wrapped && (!node.source || typeof node.source !== 'object' || Array.isArray(node.source)))
    return {
      issue: { attr: 'query.source', detail: `query.source: required; ${String(node.kind)} wraps a source query.` },
    };
  const prefix = wrapped ? ['query', 'source'] : ['query'];
  const parsed = AnyQuery.safeParse(insightSourceOf(node));
  if (parsed.success) return { source: parsed.data };
  const issue = deepest(parsed.error.issues, prefix);
  const attr = issue.path.join('.');
  return { issue: { attr, detail: `${attr}: ${issue.message}` } };
}
