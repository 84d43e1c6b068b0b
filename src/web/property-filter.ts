/**
 * The one property filter of the insights and events pages, from their URL (`prop_type`, `key`, `op`, `value`) to
 * PostHog's `{key, value, operator, type}`, which both pages hand to the query engine's property filters.
 */
import { z } from 'zod';
import { issuesText } from './issues';
import type { PropertyKind } from './taxonomy';

/** PostHog's property operators (PropertyOperator), with the words its filter menu shows. */
export const PROPERTY_OPERATOR_WORDS = [
  ['exact', 'equals'],
  ['is_not', "doesn't equal"],
  ['icontains', 'contains'],
  ['not_icontains', "doesn't contain"],
  ['regex', 'matches regex'],
  ['not_regex', "doesn't match regex"],
  ['gt', 'greater than'],
  ['gte', 'greater than or equal to'],
  ['lt', 'less than'],
  ['lte', 'less than or equal to'],
  ['is_set', 'is set'],
  ['is_not_set', 'is not set'],
] as const;
type Operator = (typeof PROPERTY_OPERATOR_WORDS)[number][0];
const OPERATORS = PROPERTY_OPERATOR_WORDS.map(([op]) => op) as [Operator, ...Operator[]];
const WITHOUT_VALUE: readonly Operator[] = ['is_set', 'is_not_set'];

export const PROPERTY_KINDS = ['event', 'person'] as const satisfies readonly PropertyKind[];

const FilterParams = z.object({
  prop_type: z.enum(PROPERTY_KINDS).default('event'),
  key: z.string().max(400).default(''),
  op: z.enum(OPERATORS).default('exact'),
  value: z.string().max(1000).default(''),
});

/** The form's fields as entered (shown again as they were, even when invalid). */
export interface FilterFields {
  type: PropertyKind;
  key: string;
  operator: Operator;
  value: string;
}

/** PostHog's property filter, as a query's `properties` holds it. */
export interface QueryPropertyFilter {
  key: string;
  value?: string;
  operator: Operator;
  type: PropertyKind;
}

export type FilterOutcome =
  | { fields: FilterFields; filter?: QueryPropertyFilter }
  | { fields: FilterFields; error: string };

const EMPTY: FilterFields = { type: 'event', key: '', operator: 'exact', value: '' };

/** The filter of the URL (`one` reads a parameter); no key is no filter; a bad parameter is an error naming it. */
export function propertyFilterOf(one: (name: string) => string | undefined): FilterOutcome {
  const raw = { prop_type: one('prop_type'), key: one('key'), op: one('op'), value: one('value') };
  const parsed = FilterParams.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const fields = { ...EMPTY, key: (raw.key ?? '').slice(0, 400), value: (raw.value ?? '').slice(0, 1000) };
    return { fields, error: issuesText(parsed.error, 'filter') };
  }
  const p = parsed.data;
  const fields: FilterFields = { type: p.prop_type, key: p.key, operator: p.op, value: p.value };
  if (p.key === '') return { fields };
  if (!WITHOUT_VALUE.includes(p.op) && p.value === '')
    return { fields, error: `value: the operator "${p.op}" needs a value` };
  const filter: QueryPropertyFilter = WITHOUT_VALUE.includes(p.op)
    ? { key: p.key, operator: p.op, type: p.prop_type }
    : { key: p.key, value: p.value, operator: p.op, type: p.prop_type };
  return { fields, filter };
}

/** The URL parameters of a filter (the inverse of `propertyFilterOf`). */
export function filterParams(filter: QueryPropertyFilter | undefined): Record<string, string | undefined> {
  if (!filter) return {};
  return { prop_type: filter.type, key: filter.key, op: filter.operator, value: filter.value };
}
