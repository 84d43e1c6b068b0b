/**
 * The insights page's URL parameters ⇄ a PostHog query (TrendsQuery, FunnelsQuery,
 * RetentionQuery). The URL holds the form's fields, so a chart can be shared; the query
 * built from them is exactly what `POST /api/projects/:id/query/` would be sent.
 */
import { INTERVALS, type FunnelWindowUnit } from '../query/schema';
import { type FilterOutcome, propertyFilterOf } from './property-filter';

export const INSIGHT_KINDS = ['trends', 'funnels', 'retention'] as const;
export type InsightKind = (typeof INSIGHT_KINDS)[number];

export const MATHS = [
  ['total', 'Total count'],
  ['dau', 'Unique users'],
  ['weekly_active', 'Weekly active users'],
  ['monthly_active', 'Monthly active users'],
] as const;
export const DATE_FROMS = [
  ['-24h', 'Last 24 hours'],
  ['-7d', 'Last 7 days'],
  ['-14d', 'Last 14 days'],
  ['-30d', 'Last 30 days'],
  ['-90d', 'Last 90 days'],
  ['-180d', 'Last 180 days'],
  ['-365d', 'Last year'],
  ['all', 'All time'],
] as const;
export const RETENTION_PERIODS = ['Day', 'Week', 'Month'] as const;
/** The conversion-window units the form offers: the query's, but seconds. */
export const FORM_WINDOW_UNITS = [
  'minute',
  'hour',
  'day',
  'week',
  'month',
] as const satisfies readonly FunnelWindowUnit[];
export const MAX_SERIES = 6;

export interface InsightForm {
  kind: InsightKind;
  events: string[];
  maths: string[];
  interval: string;
  dateFrom: string;
  dateTo: string;
  breakdown: string;
  breakdownType: 'event' | 'person';
  display: 'line' | 'bar';
  funnelWindow: number;
  funnelWindowUnit: string;
  target: string;
  returning: string;
  period: string;
  totalIntervals: number;
  retentionType: 'retention_first_time' | 'retention_recurring';
  /** The one property filter (`prop_type`, `key`, `op`, `value`), applied to the whole query. */
  property: FilterOutcome;
}

const oneOf = <T extends string>(value: string | undefined, options: readonly T[], fallback: T): T =>
  options.includes(value as T) ? (value as T) : fallback;

const clampInt = (value: string | undefined, min: number, max: number, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n >= min && n <= max ? n : fallback;
};

const DATE = /^(\d{4}-\d{2}-\d{2}|-\d{1,4}[hdwmy]|all|mStart|yStart)$/;

/**
 * The form as the URL gives it (`one` reads a parameter, `all` a repeated one); anything unknown falls back to a
 * default.
 */
export function insightFormOf(one: (name: string) => string | undefined, all: (name: string) => string[]): InsightForm {
  const kind = oneOf(one('kind'), INSIGHT_KINDS, 'trends');
  const events = all('event')
    .map((e) => e.slice(0, 400))
    .slice(0, MAX_SERIES);
  const maths = all('math');
  const dateFrom = one('date_from') ?? '';
  const dateTo = one('date_to') ?? '';
  return {
    kind,
    events: events.some((e) => e !== '') ? events : kind === 'funnels' ? ['$pageview', ''] : ['$pageview'],
    maths: events.map((_, i) =>
      oneOf(
        maths[i],
        MATHS.map(([m]) => m),
        'total',
      ),
    ),
    interval: oneOf(one('interval'), INTERVALS, 'day'),
    dateFrom: DATE.test(dateFrom) ? dateFrom : kind === 'funnels' ? '-30d' : '-7d',
    dateTo: /^\d{4}-\d{2}-\d{2}$/.test(dateTo) ? dateTo : '',
    breakdown: (one('breakdown') ?? '').slice(0, 400),
    breakdownType: one('breakdown_type') === 'person' ? 'person' : 'event',
    display: one('display') === 'bar' ? 'bar' : 'line',
    funnelWindow: clampInt(one('window'), 1, 10_000, 14),
    funnelWindowUnit: oneOf(one('window_unit'), FORM_WINDOW_UNITS, 'day'),
    target: (one('target') ?? '$pageview').slice(0, 400) || '$pageview',
    returning: (one('returning') ?? '$pageview').slice(0, 400) || '$pageview',
    period: oneOf(one('period'), RETENTION_PERIODS, 'Day'),
    totalIntervals: clampInt(one('intervals'), 2, 30, 8),
    retentionType: one('retention_type') === 'retention_recurring' ? 'retention_recurring' : 'retention_first_time',
    property: propertyFilterOf(one),
  };
}

const eventNode = (event: string, math?: string) => ({
  kind: 'EventsNode' as const,
  event: event === '' ? null : event,
  name: event === '' ? 'All events' : event,
  ...(math ? { math } : {}),
});

/** The PostHog query for the form, or a message saying what is missing. */
export function queryOf(form: InsightForm): { query: Record<string, unknown> } | { missing: string } {
  if ('error' in form.property) return { missing: form.property.error };
  const properties = form.property.filter ? { properties: [form.property.filter] } : {};
  const dateRange = { date_from: form.dateFrom, date_to: form.dateTo || null };
  const breakdownFilter = form.breakdown
    ? { breakdownFilter: { breakdown: form.breakdown, breakdown_type: form.breakdownType } }
    : {};
  if (form.kind === 'trends') {
    const series = form.events.flatMap((e, i) => (e === '' && i > 0 ? [] : [eventNode(e, form.maths[i])]));
    return {
      query: {
        kind: 'TrendsQuery',
        series,
        interval: form.interval,
        dateRange,
        ...properties,
        ...breakdownFilter,
        trendsFilter: { display: form.display === 'bar' ? 'ActionsBar' : 'ActionsLineGraph' },
      },
    };
  }
  if (form.kind === 'funnels') {
    const steps = form.events.filter((e) => e !== '');
    if (steps.length < 2) return { missing: 'A funnel needs at least two steps: name a second event.' };
    return {
      query: {
        kind: 'FunnelsQuery',
        series: steps.map((e) => eventNode(e)),
        dateRange,
        ...properties,
        ...breakdownFilter,
        funnelsFilter: {
          funnelWindowInterval: form.funnelWindow,
          funnelWindowIntervalUnit: form.funnelWindowUnit,
          funnelVizType: 'steps',
        },
      },
    };
  }
  return {
    query: {
      kind: 'RetentionQuery',
      ...(form.dateTo ? { dateRange: { date_to: form.dateTo } } : {}),
      ...properties,
      retentionFilter: {
        targetEntity: { id: form.target, name: form.target, type: 'events' },
        returningEntity: { id: form.returning, name: form.returning, type: 'events' },
        period: form.period,
        totalIntervals: form.totalIntervals,
        retentionType: form.retentionType,
      },
    },
  };
}
