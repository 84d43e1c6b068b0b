/**
 * The breakdown of a trends or funnels query: one property (`breakdown`,
 * `breakdown_type`) or several (`breakdowns[]`, PostHog's multiple breakdowns,
 * each with its own type). With several, a result's `breakdown_value` is the
 * list of the values, one per breakdown, as PostHog's; rows carry it as JSON
 * text so the grouping, ranking and "other" code sees one key.
 */
import { sql, type SQL } from 'drizzle-orm';
import { QueryError } from './errors';
import { BREAKDOWN_NULL, BREAKDOWN_OTHER, DEFAULT_BREAKDOWN_LIMIT, propertyText, sourceOf } from './filters';
import type { BreakdownFilterInput } from './schema-insight-filters';
import type { Needs } from './types';

interface BreakdownPart {
  type: string;
  key: string;
  groupTypeIndex: number | null;
  /** The field the part came from, for errors. */
  attr: string;
}

export interface BreakdownPlan {
  parts: BreakdownPart[];
  /** From `breakdowns[]`: values are lists. */
  multiple: boolean;
  limit: number;
}

const ATTR = 'query.breakdownFilter';

export function breakdownPlan(bf: BreakdownFilterInput | null | undefined): BreakdownPlan | null {
  if (!bf) return null;
  const limit = bf.breakdown_limit ?? DEFAULT_BREAKDOWN_LIMIT;
  if (bf.breakdowns?.length) {
    if (bf.breakdown) {
      throw QueryError.badField(
        `${ATTR}.breakdowns`,
        `${ATTR}.breakdowns: give either breakdown or breakdowns, not both.`,
      );
    }
    const parts = bf.breakdowns.map((b, i) => ({
      type: b.type ?? 'event',
      key: String(b.property),
      groupTypeIndex: b.group_type_index ?? null,
      attr: `${ATTR}.breakdowns.${i}`,
    }));
    for (const p of parts) sourceOf(p.type, `${p.attr}.type`, p.groupTypeIndex, `${p.attr}.group_type_index`);
    return { parts, multiple: true, limit };
  }
  if (!bf.breakdown) return null;
  const part = {
    type: bf.breakdown_type ?? 'event',
    key: bf.breakdown,
    groupTypeIndex: bf.breakdown_group_type_index ?? null,
    attr: ATTR,
  };
  sourceOf(part.type, `${ATTR}.breakdown_type`, part.groupTypeIndex, `${ATTR}.breakdown_group_type_index`);
  return { parts: [part], multiple: false, limit };
}

/** One part's value as text (NULL when missing or null). */
function partText(part: BreakdownPart, needs: Needs): SQL {
  const source = sourceOf(
    part.type,
    part.attr === ATTR ? `${ATTR}.breakdown_type` : `${part.attr}.type`,
    part.groupTypeIndex,
    part.attr === ATTR ? `${ATTR}.breakdown_group_type_index` : `${part.attr}.group_type_index`,
  );
  source.require(needs);
  return propertyText(source.column, part.key);
}

/** Trends: each part's text, PostHog's null label when missing or empty; a JSON list with several. */
export function trendsBreakdownSql(plan: BreakdownPlan, needs: Needs): SQL {
  const values = plan.parts.map((p) => sql`COALESCE(NULLIF(${partText(p, needs)}, ''), ${BREAKDOWN_NULL})`);
  return plan.multiple ? sql`json_array(${sql.join(values, sql`, `)})` : values[0]!;
}

/** Funnels: always a JSON list of each part's text ('' when missing), as PostHog's funnel breakdowns. */
export function funnelBreakdownSql(plan: BreakdownPlan, needs: Needs): SQL {
  return sql`json_array(${sql.join(
    plan.parts.map((p) => sql`COALESCE(${partText(p, needs)}, '')`),
    sql`, `,
  )})`;
}

/** The key of the "other" bucket: PostHog's label, once per breakdown with several (trends). */
export const trendsOtherKey = (plan: BreakdownPlan) =>
  plan.multiple ? JSON.stringify(plan.parts.map(() => BREAKDOWN_OTHER)) : BREAKDOWN_OTHER;

/** A row's key as the answer's `breakdown_value`. */
export const trendsBreakdownValue = (plan: BreakdownPlan, key: string): string | string[] =>
  plan.multiple ? (JSON.parse(key) as string[]) : key;

/** PostHog's label of a breakdown value: the values joined by "::" with several. */
export const breakdownLabel = (value: string | string[]) => (Array.isArray(value) ? value.join('::') : value);

/** Whether a result is the "other" bucket (one value, or a list holding it). */
export const isOtherValue = (value: unknown) =>
  value === BREAKDOWN_OTHER || (Array.isArray(value) && value.includes(BREAKDOWN_OTHER));

/** A breakdown value as PostHog's actors query passes it (a value or a list) as a trends row's key. */
export function trendsBreakdownKey(plan: BreakdownPlan, value: string | number | (string | number)[]): string {
  const values = (Array.isArray(value) ? value : [value]).map(String);
  return plan.multiple ? JSON.stringify(values) : (values[0] ?? '');
}
