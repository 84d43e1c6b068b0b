/**
 * The insight filter objects of PostHog's query schema (frontend/src/queries/schema/schema-general.ts):
 * trendsFilter, compareFilter, breakdownFilter, funnelsFilter, retentionFilter. Every field is
 * implemented, display-only or refused (schema-fields.ts).
 */
import { z } from '@hono/zod-openapi';
import { ALLOW, GroupTypeIndexSchema, displayOnly, refused, strictObject } from './schema-fields';

/** Displays that aggregate the whole range into one value per series (PostHog's NON_TIME_SERIES_DISPLAY_TYPES). */
export const AGGREGATE_DISPLAYS = ['BoldNumber', 'ActionsBarValue', 'ActionsPie', 'ActionsTable', 'WorldMap'] as const;
const TIME_SERIES_DISPLAYS = [
  'ActionsLineGraph',
  'ActionsBar',
  'ActionsAreaGraph',
  'ActionsLineGraphCumulative',
] as const;

/** PostHog's limit on `breakdownFilter.breakdowns`. */
const MAX_BREAKDOWNS = 3;

const FormulaText = z.string().min(1).max(1_000);

export const TrendsFilter = strictObject({
  display: z
    .enum([...TIME_SERIES_DISPLAYS, ...AGGREGATE_DISPLAYS])
    .nullable()
    .optional(),
  formula: FormulaText.nullable().optional(),
  formulas: z.array(FormulaText).max(20).nullable().optional(),
  formulaNodes: z
    .array(strictObject({ formula: FormulaText, custom_name: z.string().max(400).nullable().optional() }))
    .max(20)
    .nullable()
    .optional(),
  smoothingIntervals: refused('smoothing over intervals (only 1)', (v) => v === 1),
  breakdown_histogram_bin_count: refused('histogram breakdowns'),
  showLegend: displayOnly,
  showAlertThresholdLines: displayOnly,
  aggregationAxisFormat: displayOnly,
  aggregationAxisPrefix: displayOnly,
  aggregationAxisPostfix: displayOnly,
  decimalPlaces: displayOnly,
  minDecimalPlaces: displayOnly,
  showValuesOnSeries: displayOnly,
  showLabelsOnSeries: displayOnly,
  showPercentStackView: displayOnly,
  yAxisScaleType: displayOnly,
  showMultipleYAxes: displayOnly,
  hiddenLegendIndexes: displayOnly,
  hidden_legend_indexes: displayOnly,
  resultCustomizationBy: displayOnly,
  resultCustomizations: displayOnly,
  goalLines: displayOnly,
  showConfidenceIntervals: displayOnly,
  confidenceLevel: displayOnly,
  showTrendLines: displayOnly,
  showMovingAverage: displayOnly,
  movingAverageIntervals: displayOnly,
  detailedResultsAggregationType: displayOnly,
});

/** `compare_to`: a relative date the previous period starts at, measured back from the current period's start. */
export const COMPARE_TO = /^-(\d{1,4})([hdwmqy])$/;

export const CompareFilter = strictObject({
  compare: z.boolean().nullable().optional(),
  compare_to: z
    .string()
    .regex(COMPARE_TO, 'expected a relative date such as "-1w", "-14d", "-1m", "-1y" or "-30h"')
    .nullable()
    .optional(),
});

const BREAKDOWN_TYPES_REFUSED = 'only the event, person and group breakdown types';

const Breakdown = strictObject({
  property: z.union([z.string().min(1).max(1_000), z.number()]),
  type: z.string().max(50).nullable().optional(),
  group_type_index: GroupTypeIndexSchema.nullable().optional(),
  histogram_bin_count: refused('histogram breakdowns'),
  normalize_url: refused('normalising URLs', ALLOW.isFalse),
});

export const BreakdownFilter = strictObject({
  breakdown: z.string().max(1_000).nullable().optional(),
  breakdown_type: z.string().max(50).nullable().optional(),
  breakdown_group_type_index: GroupTypeIndexSchema.nullable().optional(),
  breakdown_limit: z.number().int().min(1).max(1_000).nullable().optional(),
  breakdown_hide_other_aggregation: z.boolean().nullable().optional(),
  breakdowns: z.array(Breakdown).max(MAX_BREAKDOWNS).nullable().optional(),
  breakdown_normalize_url: refused('normalising URLs', ALLOW.isFalse),
  breakdown_histogram_bin_count: refused('histogram breakdowns'),
}).openapi('BreakdownFilter', { description: `Breakdown types: ${BREAKDOWN_TYPES_REFUSED}.` });
export type BreakdownFilterInput = z.infer<typeof BreakdownFilter>;

export const FUNNEL_WINDOW_UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month'] as const;

/** funnelsFilter; `step` is the funnel step node (an EventsNode), reused for exclusions. */
export function funnelsFilterSchema<T extends z.ZodRawShape>(step: z.ZodObject<T>) {
  const Exclusion = step.extend({
    funnelFromStep: z.number().int().min(0).max(19),
    funnelToStep: z.number().int().min(1).max(19),
  });
  return strictObject({
    funnelWindowInterval: z.number().int().min(1).max(100_000).nullable().optional(),
    funnelWindowIntervalUnit: z.enum(FUNNEL_WINDOW_UNITS).nullable().optional(),
    funnelOrderType: z.enum(['ordered', 'strict', 'unordered']).nullable().optional(),
    funnelVizType: z.literal('steps').nullable().optional(),
    /** Events that void an attempt between two steps (funnel-exclusions.ts). */
    exclusions: z.array(Exclusion).max(20).nullable().optional(),
    /** Which events give an actor's breakdown value (funnel-attribution.ts); PostHog's default is first_touch. */
    breakdownAttributionType: z.enum(['first_touch', 'last_touch', 'all_events', 'step']).nullable().optional(),
    /** With "step" attribution: the index of the step. */
    breakdownAttributionValue: z.number().int().min(0).max(19).nullable().optional(),
    /** The base of the conversion percentages PostHog's app draws; the answer's counts are the same. */
    funnelStepReference: z.enum(['total', 'previous']).nullable().optional(),
    funnelFromStep: refused('step ranges (only for funnel trends and time to convert)'),
    funnelToStep: refused('step ranges (only for funnel trends and time to convert)'),
    funnelAggregateByHogQL: refused('HogQL aggregation'),
    binCount: refused('time-to-convert bins (only the steps view)'),
    useUdf: z.boolean().nullable().optional(),
    layout: displayOnly,
    hiddenLegendBreakdowns: displayOnly,
    resultCustomizations: displayOnly,
    goalLines: displayOnly,
    showValuesOnSeries: displayOnly,
  });
}

const RetentionEntity = strictObject({
  id: z
    .union([z.string().max(400), z.number()])
    .nullable()
    .optional(),
  name: z.string().max(400).nullable().optional(),
  type: z.literal('events').default('events'),
  kind: z.literal('EventsNode').nullable().optional(),
  custom_name: z.string().max(400).nullable().optional(),
  order: z.number().int().nullable().optional(),
  uuid: z.string().max(100).nullable().optional(),
  properties: refused('filters on a retention entity', ALLOW.isEmptyList),
});

export const RetentionFilter = strictObject({
  targetEntity: RetentionEntity.nullable().optional(),
  returningEntity: RetentionEntity.nullable().optional(),
  period: z.enum(['Day', 'Week', 'Month']).nullable().optional(),
  totalIntervals: z.number().int().min(1).max(60).nullable().optional(),
  retentionType: z.enum(['retention_recurring', 'retention_first_time']).nullable().optional(),
  minimumOccurrences: refused('a minimum of occurrences (only 1)', (v) => v === 1),
  cumulative: refused('cumulative retention', ALLOW.isFalse),
  timeWindowMode: refused('24-hour windows', (v) => v === 'strict_calendar_dates'),
  retentionReference: displayOnly,
  meanRetentionCalculation: displayOnly,
  display: displayOnly,
  dashboardDisplay: displayOnly,
  showTrendLines: displayOnly,
});
