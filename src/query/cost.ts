/**
 * A query's cost, known before its first statement runs: the event rows its
 * statements will read (an index count per scope, itself stopped at the budget)
 * and the values its answer will hold (buckets × series × periods × breakdown
 * values). Over the budget (budget.ts) is a 400 `query_too_expensive` that names
 * the field to narrow. Each compiler's own scans stay as they are; this module
 * only mirrors their scopes.
 */
import type { QueryBudget } from './budget';
import { tooExpensive } from './budget';
import type { QueryContext } from './context';
import { parsePoint, resolveDateRange } from './date-range';
import { DEFAULT_BREAKDOWN_LIMIT } from './filters';
import { checkHogQLCost } from './hogql-cost';
import type {
  AnyQueryInput,
  EventsQueryInput,
  FunnelsQueryInput,
  RetentionQueryInput,
  TrendsQueryInput,
} from './schema';
import { AGGREGATE_DISPLAYS } from './schema';
import { trendsRangeOptions } from './trends';
import { countEventRows } from './event-slices';
import { DAY, HOUR, bucketStartOf, shiftBuckets, type Interval } from './time';

interface Scope {
  from?: number;
  to?: number;
  /** Event names; undefined for all events. */
  events?: string[];
  /** Regex filters on the scope: each reads the scope once more for its distinct values. */
  regexFilters: number;
  /**
   * Rows of work per event beyond reading it: weekly/monthly active users spread
   * each active day over up to 7/30 bucket days (active-users.ts).
   */
  spread?: number;
}

const ACTIVE_WINDOW_DAYS: Record<string, number> = { weekly_active: 7, monthly_active: 30 };
const BUCKET_MS: Record<Interval, number> = { hour: HOUR, day: DAY, week: 7 * DAY, month: 28 * DAY };

/** The properties regex filters read, as `type:key` (filters on one property share a read; nested groups included). */
function regexKeysIn(input: unknown, keys = new Set<string>()): Set<string> {
  if (!input || typeof input !== 'object') return keys;
  if (Array.isArray(input)) {
    for (const v of input) regexKeysIn(v, keys);
    return keys;
  }
  const node = input as { values?: unknown; operator?: unknown; key?: unknown; type?: unknown };
  if (Array.isArray(node.values) && !('key' in node)) return regexKeysIn(node.values, keys);
  if (node.operator === 'regex' || node.operator === 'not_regex') keys.add(`${String(node.type)}:${String(node.key)}`);
  return keys;
}

/** Regex reads of a scope filtered by these property lists. */
const regexFiltersIn = (...inputs: unknown[]): number => {
  const keys = new Set<string>();
  for (const input of inputs) regexKeysIn(input, keys);
  return keys.size;
};

/** Event rows in a scope, counted on the index and stopped after `cap`. */
const rowsIn = (ctx: QueryContext, scope: Scope, cap: number, budget: QueryBudget): Promise<number> =>
  countEventRows(
    ctx.db,
    { projectId: ctx.projectId, from: scope.from, to: scope.to, events: scope.events },
    cap,
    budget.limits,
  );

interface Estimate {
  scopes: Scope[];
  /** Values in the answer, and the field that sets them. */
  cells: number;
  cellsAttr: string;
}

const rangeOptions = trendsRangeOptions;

async function trendsEstimate(ctx: QueryContext, q: TrendsQueryInput): Promise<Estimate> {
  const aggregate = (AGGREGATE_DISPLAYS as readonly string[]).includes(q.trendsFilter?.display ?? '');
  const interval: Interval = aggregate ? 'day' : (q.interval ?? 'day');
  const range = await resolveDateRange(q.dateRange, rangeOptions(ctx, interval));
  const compare = q.compareFilter?.compare === true;
  const span = range.to - range.from;
  const periods = compare ? [range, { from: range.from - span - 32 * DAY, to: range.from }] : [range];
  const scopes = q.series.flatMap((series) =>
    periods.map((p) => ({
      from: p.from - ((ACTIVE_WINDOW_DAYS[series.math ?? ''] ?? -1) + 1) * DAY,
      to: p.to,
      events: series.event === undefined || series.event === null ? undefined : [series.event],
      regexFilters: regexFiltersIn(q.properties, series.properties),
      spread: aggregate ? 0 : (ACTIVE_WINDOW_DAYS[series.math ?? ''] ?? 0),
    })),
  );
  const buckets = aggregate ? 1 : Math.ceil(span / BUCKET_MS[interval]) + 1;
  const bf = q.breakdownFilter;
  const values = bf?.breakdown ? (bf.breakdown_limit ?? DEFAULT_BREAKDOWN_LIMIT) + 2 : 1;
  return {
    scopes,
    cells: buckets * q.series.length * periods.length * values,
    cellsAttr: bf?.breakdown ? 'query.breakdownFilter.breakdown_limit' : 'query.interval',
  };
}

async function funnelsEstimate(ctx: QueryContext, q: FunnelsQueryInput): Promise<Estimate> {
  const range = await resolveDateRange(q.dateRange, rangeOptions(ctx, 'day'));
  const names = q.series.map((s) => s.event ?? null);
  const strict = q.funnelsFilter?.funnelOrderType === 'strict';
  const events = strict || names.includes(null) ? undefined : [...new Set(names as string[])];
  const regexFilters = regexFiltersIn(q.properties, ...q.series.map((s) => s.properties));
  const bf = q.breakdownFilter;
  const values = bf?.breakdown ? (bf.breakdown_limit ?? DEFAULT_BREAKDOWN_LIMIT) + 1 : 1;
  return {
    scopes: [{ ...range, events, regexFilters }],
    cells: q.series.length * values,
    cellsAttr: 'query.breakdownFilter.breakdown_limit',
  };
}

async function retentionEstimate(ctx: QueryContext, q: RetentionQueryInput): Promise<Estimate> {
  const rf = q.retentionFilter;
  const interval: Interval = ({ Day: 'day', Week: 'week', Month: 'month' } as const)[rf.period ?? 'Day'];
  const total = rf.totalIntervals ?? 8;
  const dateTo = q.dateRange?.date_to ?? undefined;
  const { to } = await resolveDateRange(
    { date_from: dateTo, date_to: dateTo },
    { ...rangeOptions(ctx, interval), defaultFrom: 'dStart' },
  );
  const lastStart = bucketStartOf(to - 1, interval, ctx.timezone);
  const from = shiftBuckets(lastStart, interval, -(total - 1), ctx.timezone);
  const end = shiftBuckets(lastStart, interval, 1, ctx.timezone);
  const entity = (e: { id?: unknown } | null | undefined) =>
    !e ? '$pageview' : e.id === undefined || e.id === null ? null : String(e.id);
  const names = [entity(rf.targetEntity), entity(rf.returningEntity)];
  const events = names.includes(null) ? undefined : [...new Set(names as string[])];
  return {
    scopes: [{ from, to: end, events, regexFilters: regexFiltersIn(q.properties) }],
    cells: total * total,
    cellsAttr: 'query.retentionFilter.totalIntervals',
  };
}

/**
 * EventsQuery: a plain listing in time order stops after offset + limit rows of
 * the index; with filters, a person or aggregates it may read its whole range.
 */
function eventsQueryEstimate(ctx: QueryContext, q: EventsQueryInput): Estimate | null {
  const aggregated = q.select.some((c) => /^\s*(count|min|max)\s*\(/i.test(c));
  const filtered = Boolean(q.personId) || [q.properties, q.fixedProperties].some((p) => p && Object.keys(p).length);
  const byTime = (q.orderBy ?? []).every((o) => /^\s*timestamp\b/i.test(o));
  if (!aggregated && !filtered && byTime) return null;
  const point = (value: string | null | undefined, attr: string) =>
    value === undefined || value === null || value === 'all'
      ? undefined
      : parsePoint(value, attr, ctx.timezone, ctx.now).instant;
  const after = point(q.after ?? '-24h', 'query.after');
  const names = [...(q.event ? [q.event] : []), ...(q.events ?? [])];
  const scope: Scope = {
    from: after === undefined ? undefined : after + 1,
    to: point(q.before, 'query.before'),
    events: names.length && !(q.event && q.events?.length) ? names : undefined,
    regexFilters: regexFiltersIn(q.properties, q.fixedProperties),
  };
  return { scopes: [scope], cells: 0, cellsAttr: 'query.limit' };
}

/**
 * Refuses a query over its budget before any of its own statements run. Kinds
 * without an estimate here are bounded by their own limits and the deadline.
 */
export async function checkCost(ctx: QueryContext, query: AnyQueryInput, budget: QueryBudget): Promise<void> {
  let estimate: Estimate;
  switch (query.kind) {
    case 'TrendsQuery':
      estimate = await trendsEstimate(ctx, query);
      break;
    case 'FunnelsQuery':
      estimate = await funnelsEstimate(ctx, query);
      break;
    case 'RetentionQuery':
      estimate = await retentionEstimate(ctx, query);
      break;
    case 'EventsQuery': {
      const events = eventsQueryEstimate(ctx, query);
      if (!events) return;
      estimate = events;
      break;
    }
    case 'HogQLQuery':
      return checkHogQLCost(ctx, query, budget);
    default:
      return;
  }
  const { limits } = budget;
  if (estimate.cells > limits.cells) {
    throw tooExpensive(
      `The answer would hold about ${estimate.cells} values (buckets × series × breakdown values); at most ` +
        `${limits.cells} are allowed. Use a coarser interval, a shorter range, fewer series or a lower breakdown_limit.`,
      estimate.cellsAttr,
    );
  }
  let rows = 0;
  for (const scope of estimate.scopes) {
    const reads = 1 + scope.regexFilters + (scope.spread ?? 0);
    const left = Math.floor((limits.scannedRows - rows) / reads);
    rows += reads * (await rowsIn(ctx, scope, Math.max(left, 0), budget));
    if (rows > limits.scannedRows) {
      throw tooExpensive(
        `The query would read more than ${limits.scannedRows} events (weekly/monthly active users count each ` +
          'event up to 8/31 times, each regex-filtered property once more); narrow the date range, pick specific ' +
          'events instead of all events, or use fewer series and regex filters.',
        query.kind === 'EventsQuery' ? 'query.after' : 'query.dateRange',
      );
    }
  }
}
