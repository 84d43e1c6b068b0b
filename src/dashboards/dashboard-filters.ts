/**
 * A dashboard's `filters` (PostHog's DashboardFilter: `date_from`, `date_to`, `properties`) and
 * how they override a tile's query, as PostHog's `QueryRunner.apply_dashboard_filters`: a date
 * bound replaces the query's whole range (both ends), properties are ANDed with the query's own.
 */
import { z } from 'zod';

const DateBound = z.string().max(64).nullable().optional();

export const DashboardFiltersSchema = z
  .strictObject({
    date_from: DateBound,
    date_to: DateBound,
    explicitDate: z.boolean().nullable().optional(),
    // Checked in full when a tile's query runs with them (the query endpoint's own schema).
    properties: z.array(z.record(z.string(), z.unknown())).max(50).nullable().optional(),
  })
  .describe('date_from, date_to, explicitDate and properties override every tile.');
export type DashboardFilters = z.infer<typeof DashboardFiltersSchema>;

export const hasFilters = (f: DashboardFilters) =>
  Boolean(f.date_from || f.date_to || (f.properties && f.properties.length > 0));

/** The query (a source node: TrendsQuery, FunnelsQuery, …) with the dashboard's filters applied. */
export function applyDashboardFilters(
  source: Record<string, unknown>,
  filters: DashboardFilters,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...source };
  const properties = filters.properties ?? [];
  if (properties.length > 0 && source.kind === 'EventsQuery') {
    out.properties = [...((source.properties as unknown[] | undefined) ?? []), ...properties];
  } else if (properties.length > 0) {
    const own = source.properties;
    const ownGroup = Array.isArray(own)
      ? own.length > 0
        ? { type: 'AND', values: own }
        : undefined
      : own && typeof own === 'object'
        ? own
        : undefined;
    out.properties = ownGroup ? { type: 'AND', values: [ownGroup, { type: 'AND', values: properties }] } : properties;
  }
  if (filters.date_from || filters.date_to) {
    if (source.kind === 'EventsQuery') {
      out.after = filters.date_from ?? undefined;
      out.before = filters.date_to ?? undefined;
    } else {
      const range = { ...((source.dateRange as Record<string, unknown> | undefined) ?? {}) };
      range.date_from = filters.date_from ?? null;
      range.date_to = filters.date_to ?? null;
      if (filters.explicitDate !== undefined && filters.explicitDate !== null)
        range.explicitDate = filters.explicitDate;
      out.dateRange = range;
    }
  }
  return out;
}
