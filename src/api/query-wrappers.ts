/**
 * PostHog's clients wrap the query they run in a display node: the agent
 * toolkit and MCP send `InsightVizNode{source: TrendsQuery|FunnelsQuery|…}` and
 * `DataVisualizationNode{source: HogQLQuery}`, the web app `DataTableNode{source:
 * EventsQuery}`. PostHog runs the `source` (posthog/api/services/query.py) and
 * the wrapper's own fields only steer how the app shows it. So the wrapper is
 * checked against PostHog's display fields (frontend/src/queries/schema) and
 * its source answered; any other field is a 400 naming it.
 */
import { z } from '@hono/zod-openapi';

const Flag = z.boolean().nullable().optional();
const Names = z.array(z.string().max(1_000)).max(200).nullable().optional();
const Settings = z.record(z.string(), z.unknown()).nullable().optional();

const common = {
  kind: z.string(),
  source: z.unknown(),
  version: z.number().nullable().optional(),
  /** A response the app kept with the node; PostHog answers afresh. */
  response: Settings,
  full: Flag,
  embedded: Flag,
  showTimings: Flag,
};

const showFlags = (names: string[]) => Object.fromEntries(names.map((name) => [name, Flag]));

const WRAPPERS = {
  InsightVizNode: z.strictObject({
    ...common,
    ...showFlags([
      'showHeader',
      'showTable',
      'showCorrelationTable',
      'showLastComputation',
      'showLastComputationRefresh',
      'showFilters',
      'showResults',
      'suppressSessionAnalysisWarning',
      'hidePersonsModal',
      'hideTooltipOnScroll',
    ]),
    vizSpecificOptions: Settings,
  }),
  DataVisualizationNode: z.strictObject({
    ...common,
    display: z.string().max(100).nullable().optional(),
    chartSettings: Settings,
    tableSettings: Settings,
  }),
  DataTableNode: z.strictObject({
    ...common,
    ...showFlags([
      'expandable',
      'allowSorting',
      'showActions',
      'showDateRange',
      'showEventFilter',
      'showEventsFilter',
      'showSearch',
      'showPropertyFilter',
      'showHogQLEditor',
      'showReload',
      'showElapsedTime',
      'showColumnConfigurator',
      'showPersistentColumnConfigurator',
      'showSavedQueries',
      'showSavedFilters',
      'showExport',
      'showOpenEditorButton',
      'showResultsTable',
      'showTestAccountFilters',
      'showSourceQueryOptions',
    ]),
    // The app derives the source's `select` from these; PostHog's server runs the source as sent.
    columns: Names,
    hiddenColumns: Names,
    pinnedColumns: Names,
    defaultColumns: Names,
    context: Settings,
    contextKey: z.string().max(400).nullable().optional(),
  }),
} as const;

type UnwrapResult = { ok: true; query: unknown } | { ok: false; attr: string; detail: string };

/** `query` itself when it is not a wrapper; its checked `source` when it is (a source is never a wrapper). */
export function unwrapQuery(query: unknown): UnwrapResult {
  const kind = query && typeof query === 'object' ? (query as { kind?: unknown }).kind : undefined;
  if (typeof kind !== 'string' || !(kind in WRAPPERS)) return { ok: true, query };
  const checked = WRAPPERS[kind as keyof typeof WRAPPERS].safeParse(query);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue?.code === 'unrecognized_keys' ? issue.keys[0] : issue?.path.join('.');
    const attr = field ? `query.${field}` : 'query';
    const why =
      issue?.code === 'unrecognized_keys'
        ? `not a field of ${kind} this service knows; it is refused rather than ignored`
        : (issue?.message ?? 'invalid');
    return { ok: false, attr, detail: `${attr}: ${why}.` };
  }
  const source = (query as { source?: unknown }).source;
  const sourceKind = source && typeof source === 'object' ? (source as { kind?: unknown }).kind : undefined;
  if (typeof sourceKind !== 'string' || sourceKind in WRAPPERS) {
    return {
      ok: false,
      attr: 'query.source',
      detail: `query.source: ${kind} needs a query node (with its kind) as source.`,
    };
  }
  return { ok: true, query: source };
}
