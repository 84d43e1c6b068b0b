/** What a TrendsQuery should answer, computed from the world in plain TypeScript (no SQL, no src/query). */
import { MONTHS, addDaysTo, dayLabel, weekStartOf } from './helpers';
import {
  matches,
  numberOf,
  personOf,
  quantile,
  textOf,
  wallClock,
  type ModelFilter,
  type World,
  type WorldEvent,
} from './world';

export interface ModelTrendsQuery {
  event: string | null;
  math: string;
  mathProperty?: string;
  filters: ModelFilter[];
  seriesFilters?: ModelFilter[];
  interval: 'hour' | 'day' | 'week' | 'month';
  /** Inclusive local dates. */
  from: string;
  to: string;
  breakdown?: { key: string; type: 'event' | 'person'; limit: number };
  /** PostHog's multiple breakdowns (`breakdownFilter.breakdowns`): values are lists. */
  breakdowns?: { parts: { key: string; type: 'event' | 'person' }[]; limit: number };
  aggregate?: boolean;
}

export interface ModelSeries {
  label: string;
  data: number[];
  days: string[];
  labels: string[];
  count: number;
  aggregated_value?: number;
  breakdown_value?: string | string[];
}

const NULL = '$$_posthog_breakdown_null_$$';
const OTHER = '$$_posthog_breakdown_other_$$';

interface ModelBucket {
  key: string;
  day: string;
  label: string;
  /** For the active-users window: the bucket's first local date. */
  date: string;
}

function modelBuckets(q: ModelTrendsQuery, timezone: string): ModelBucket[] {
  const out: ModelBucket[] = [];
  if (q.interval === 'hour') {
    const start = Date.parse(`${q.from}T00:00:00Z`) - 86_400_000;
    const end = Date.parse(`${q.to}T00:00:00Z`) + 2 * 86_400_000;
    for (let t = start; t < end; t += 15 * 60_000) {
      const w = wallClock(t, timezone);
      if (w.minute !== '00' || w.date < q.from || w.date > q.to) continue;
      const [y, m, d] = w.date.split('-').map(Number) as [number, number, number];
      out.push({
        key: `${w.date} ${w.hour}|${w.offset}`,
        day: `${w.date} ${w.hour}:00:00`,
        label: `${d}-${MONTHS[m - 1]}-${y} ${w.hour}:00`,
        date: w.date,
      });
    }
    return out;
  }
  let date = q.interval === 'week' ? weekStartOf(q.from) : q.interval === 'month' ? `${q.from.slice(0, 7)}-01` : q.from;
  while (date <= q.to) {
    const [y, m] = date.split('-').map(Number) as [number, number];
    out.push({ key: date, day: date, label: q.interval === 'month' ? `${MONTHS[m - 1]} ${y}` : dayLabel(date), date });
    if (q.interval === 'day') date = addDaysTo(date, 1);
    else if (q.interval === 'week') date = addDaysTo(date, 7);
    else date = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  }
  return out;
}

function bucketKeyOf(e: WorldEvent, q: ModelTrendsQuery, timezone: string): { key: string; date: string } {
  const w = wallClock(Date.parse(e.timestamp), timezone);
  if (q.interval === 'hour') return { key: `${w.date} ${w.hour}|${w.offset}`, date: w.date };
  if (q.interval === 'week') return { key: weekStartOf(w.date), date: w.date };
  if (q.interval === 'month') return { key: `${w.date.slice(0, 7)}-01`, date: w.date };
  return { key: w.date, date: w.date };
}

function seriesValue(events: WorldEvent[], q: ModelTrendsQuery, w: World): number {
  switch (q.math) {
    case 'total':
      return events.length;
    case 'dau':
    case 'weekly_active':
    case 'monthly_active':
      return new Set(events.map((e) => personOf(w, e))).size;
    case 'unique_session':
      return new Set(events.map((e) => textOf(e.properties.$session_id)).filter((s) => s !== null && s !== '')).size;
  }
  const nums = events.map((e) => numberOf(e.properties[q.mathProperty!])).filter((n): n is number => n !== null);
  switch (q.math) {
    case 'sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'avg':
      return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : 0;
    case 'min':
      return nums.length ? Math.min(...nums) : 0;
    case 'max':
      return nums.length ? Math.max(...nums) : 0;
    case 'median':
      return quantile(nums, 0.5);
    case 'p90':
      return quantile(nums, 0.9);
  }
  throw new Error(`model: math ${q.math}`);
}

export function modelTrends(w: World, q: ModelTrendsQuery, timezone: string): ModelSeries[] {
  const buckets = modelBuckets(q, timezone);
  const window = q.math === 'weekly_active' ? 7 : q.math === 'monthly_active' ? 30 : 0;
  const firstDate = buckets[0]!.date;
  const lowest = window ? addDaysTo(firstDate, -(window - 1)) : q.interval === 'hour' ? q.from : firstDate;
  const selected = w.events
    .filter((e) => q.event === null || e.event === q.event)
    .filter((e) => [...q.filters, ...(q.seriesFilters ?? [])].every((f) => matches(w, e, f)))
    .map((e) => ({ e, ...bucketKeyOf(e, q, timezone) }))
    .filter((x) => x.date >= lowest && x.date <= q.to);
  const breakdown = q.breakdowns ?? (q.breakdown ? { parts: [q.breakdown], limit: q.breakdown.limit } : undefined);
  const partOf = (e: WorldEvent, part: { key: string; type: 'event' | 'person' }) => {
    const props = part.type === 'person' ? (w.personProps.get(personOf(w, e)) ?? {}) : e.properties;
    const t = textOf(props[part.key]);
    return t === null || t === '' ? NULL : t;
  };
  const bvOf = (e: WorldEvent) => {
    if (!breakdown) return '';
    if (q.breakdowns) return JSON.stringify(q.breakdowns.parts.map((p) => partOf(e, p)));
    return partOf(e, breakdown.parts[0]!);
  };
  const otherKey = q.breakdowns ? JSON.stringify(q.breakdowns.parts.map(() => OTHER)) : OTHER;
  const answerValueOf = (bv: string): string | string[] => (q.breakdowns ? (JSON.parse(bv) as string[]) : bv);
  const labelOf = (bv: string) => (q.breakdowns ? (JSON.parse(bv) as string[]).join('::') : bv);
  const byValue = new Map<string, typeof selected>();
  for (const x of selected) {
    const bv = bvOf(x.e);
    byValue.set(bv, [...(byValue.get(bv) ?? []), x]);
  }
  if (!breakdown && byValue.size === 0) byValue.set('', []);
  let series = [...byValue].map(([bv, xs]) => {
    if (q.aggregate) {
      const inRange = window ? xs : xs.filter((x) => x.date >= firstDate);
      return {
        bv,
        data: [] as number[],
        total: seriesValue(
          inRange.map((x) => x.e),
          q,
          w,
        ),
      };
    }
    const data = buckets.map((b) => {
      if (window)
        return seriesValue(
          xs.filter((x) => x.date <= b.date && x.date >= addDaysTo(b.date, -(window - 1))).map((x) => x.e),
          q,
          w,
        );
      return seriesValue(
        xs.filter((x) => x.key === b.key && x.date >= lowest).map((x) => x.e),
        q,
        w,
      );
    });
    return { bv, data, total: data.reduce((a, b) => a + b, 0) };
  });
  if (breakdown) {
    series.sort((a, b) => b.total - a.total || (a.bv < b.bv ? -1 : a.bv > b.bv ? 1 : 0));
    const kept = series.slice(0, breakdown.limit);
    const rest = series.slice(breakdown.limit);
    if (rest.length) {
      const data = q.aggregate ? [] : buckets.map((_, i) => rest.reduce((a, s) => a + s.data[i]!, 0));
      kept.push({ bv: otherKey, data, total: rest.reduce((a, s) => a + s.total, 0) });
    }
    series = kept;
  }
  return series.map((s) => ({
    label: breakdown ? labelOf(s.bv) : (q.event ?? 'All events'),
    data: s.data,
    days: q.aggregate ? [] : buckets.map((b) => b.day),
    labels: q.aggregate ? [] : buckets.map((b) => b.label),
    count: q.aggregate ? 0 : s.total,
    ...(q.aggregate ? { aggregated_value: s.total } : {}),
    ...(breakdown ? { breakdown_value: answerValueOf(s.bv) } : {}),
  }));
}
