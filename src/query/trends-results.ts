/**
 * A TrendsQuery series' rows as PostHog's result objects: data, labels and days
 * per bucket (or one aggregated value), the breakdown value, the echoed filter.
 */
import { breakdownLabel, trendsBreakdownValue, trendsOtherKey } from './breakdowns';
import type { QueryContext } from './context';
import { ymd, zonedIso, type Bucket, type Interval } from './time';
import type { CompiledTrends, Period, Row, SeriesPlan } from './trends-series';

export type TrendsResult = Record<string, unknown>;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** PostHog's format_label_date. */
function labelOf(b: Bucket, interval: Interval): string {
  const { year, month, day, hour, minute } = b.local;
  if (interval === 'hour') return `${day}-${MONTHS[month - 1]}-${year} ${pad(hour)}:${pad(minute)}`;
  if (interval === 'month') return `${MONTHS[month - 1]} ${year}`;
  return `${day}-${MONTHS[month - 1]}-${year}`;
}

function dayOf(b: Bucket, interval: Interval): string {
  return interval === 'hour' ? `${ymd(b.local)} ${pad(b.local.hour)}:${pad(b.local.minute)}:00` : ymd(b.local);
}

export function seriesObjects(
  ctx: QueryContext,
  c: CompiledTrends,
  plan: SeriesPlan,
  period: Period,
  rows: Row[],
  compareLabel: 'current' | 'previous' | null,
): (TrendsResult & { breakdown_value?: string | string[] })[] {
  const { series } = plan;
  const name = series.event ?? null;
  const label = name ?? 'All events';
  const action = {
    days: period.buckets.map((b) => zonedIso(b.start, ctx.timezone)),
    id: name,
    type: 'events',
    order: plan.order,
    name: name ?? 'All events',
    custom_name: series.custom_name ?? null,
    math: series.math ?? null,
    math_property: series.math_property ?? null,
    math_hogql: null,
    math_group_type_index: series.math_group_type_index ?? null,
    properties: {},
  };
  const byValue = new Map<string, Map<string, number>>();
  for (const r of rows) {
    let m = byValue.get(r.bv);
    if (!m) byValue.set(r.bv, (m = new Map()));
    m.set(r.bucket, (m.get(r.bucket) ?? 0) + Number(r.value ?? 0));
  }
  if (!c.breakdown && byValue.size === 0) byValue.set('', new Map());
  const otherKey = c.breakdown ? trendsOtherKey(c.breakdown) : null;
  const total = (values: Map<string, number>) =>
    c.aggregate ? (values.get('') ?? 0) : period.buckets.reduce((a, b) => a + (values.get(b.key) ?? 0), 0);
  // Larger first, "other" last, then by value.
  const ordered = [...byValue].sort(([ka, va], [kb, vb]) => {
    const ao = ka === otherKey ? 1 : 0;
    const bo = kb === otherKey ? 1 : 0;
    if (ao !== bo) return ao - bo;
    if (total(va) !== total(vb)) return total(vb) - total(va);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return ordered.map(([bv, values]) => {
    const o: TrendsResult & { breakdown_value?: string | string[] } = c.aggregate
      ? { data: [], days: [], count: 0, aggregated_value: values.get('') ?? 0 }
      : (() => {
          const data = period.buckets.map((b) => values.get(b.key) ?? 0);
          return {
            data,
            labels: period.buckets.map((b) => labelOf(b, c.interval)),
            days: period.buckets.map((b) => dayOf(b, c.interval)),
            count: data.reduce((a, v) => a + v, 0),
          };
        })();
    o.label = label;
    o.filter = filterOf(c, period, ctx.timezone);
    o.action = action;
    if (compareLabel) {
      o.compare = true;
      o.compare_label = compareLabel;
    }
    if (c.breakdown) {
      const value = trendsBreakdownValue(c.breakdown, bv);
      o.label = c.query.series.length > 1 ? `${label} - ${breakdownLabel(value)}` : breakdownLabel(value);
      o.breakdown_value = value;
    }
    return o;
  });
}

function filterOf(c: CompiledTrends, period: Period, timezone: string): Record<string, unknown> {
  const q = c.query;
  return {
    insight: 'TRENDS',
    date_from: zonedIso(period.from, timezone),
    date_to: zonedIso(period.to - 1, timezone),
    interval: c.interval,
    ...(q.properties ? { properties: q.properties } : {}),
    ...(q.trendsFilter?.display ? { display: q.trendsFilter.display } : {}),
    ...(q.breakdownFilter ?? {}),
  };
}
