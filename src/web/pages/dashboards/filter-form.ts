/** The dashboard page's filter form ⇄ PostHog's dashboard `filters`. */
import { z } from 'zod';
import { DashboardFiltersSchema, type DashboardFilters } from '../../../dashboards/dashboard-filters';
import { DATE_FROMS } from '../../insight-query';

export const FILTER_OPERATORS = [
  ['exact', 'equals'],
  ['is_not', 'does not equal'],
  ['icontains', 'contains'],
  ['not_icontains', 'does not contain'],
  ['is_set', 'is set'],
  ['is_not_set', 'is not set'],
] as const;

const FilterForm = z.object({
  date_from: z.enum(['', ...DATE_FROMS.map(([v]) => v)]).default(''),
  date_to: z.union([z.literal(''), z.iso.date()]).default(''),
  property_key: z.string().trim().max(400).default(''),
  property_type: z.enum(['event', 'person']).default('event'),
  property_operator: z.enum(FILTER_OPERATORS.map(([op]) => op)).default('exact'),
  property_value: z.string().max(1000).default(''),
});

/** The filters a submitted form asks for, or what is wrong with it. */
export function filtersOfForm(form: Record<string, unknown>): { filters: DashboardFilters } | { error: z.ZodError } {
  const parsed = FilterForm.safeParse(form);
  if (!parsed.success) return { error: parsed.error };
  const f = parsed.data;
  const valueless = f.property_operator === 'is_set' || f.property_operator === 'is_not_set';
  const filters = {
    ...(f.date_from ? { date_from: f.date_from } : {}),
    ...(f.date_to ? { date_to: f.date_to } : {}),
    ...(f.property_key
      ? {
          properties: [
            {
              key: f.property_key,
              type: f.property_type,
              operator: f.property_operator,
              ...(valueless ? {} : { value: f.property_value }),
            },
          ],
        }
      : {}),
  };
  return { filters: DashboardFiltersSchema.parse(filters) };
}

/** The filters in words, or '' when there are none. */
export function filterSummary(f: { date_from?: string; date_to?: string; properties?: Record<string, unknown>[] }) {
  const parts = [];
  if (f.date_from) parts.push(`from ${DATE_FROMS.find(([v]) => v === f.date_from)?.[1] ?? f.date_from}`);
  if (f.date_to) parts.push(`to ${f.date_to}`);
  for (const p of f.properties ?? []) {
    const op = FILTER_OPERATORS.find(([o]) => o === p.operator)?.[1] ?? String(p.operator);
    parts.push(`${String(p.key)} ${op}${p.value === undefined ? '' : ` ${String(p.value)}`}`);
  }
  return parts.join(', ');
}
