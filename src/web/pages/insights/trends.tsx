/**
 * A TrendsQuery's results: a chart (drawn by insights.js from `data-chart`), its legend and the same numbers as a
 * table.
 */
import { ListTable } from '../../ui';
import { NumberLink } from './number-link';
import type { ActorsHref } from './actors-link';
import { breakdownText, formatNumber } from './format';

/** Distinct colours for series, in order (also used by the chart script, via the data it is given). */
const SERIES_COLORS = [
  '#1d4aff',
  '#f04f58',
  '#2f9e44',
  '#f9a825',
  '#7b3fe4',
  '#00a3b4',
  '#e66b00',
  '#6b6f7d',
  '#c2185b',
  '#455a64',
];

export interface TrendSeries {
  label: string;
  data: number[];
  labels: string[];
  days: string[];
  count: number;
  breakdown_value?: unknown;
  aggregated_value?: number;
  compare_label?: string;
  action?: {
    name?: string | null;
    custom_name?: string | null;
    order?: number;
    math?: string | null;
    math_property?: string | null;
  } | null;
}

/** PostHog's names of the series maths (mathsLogic), as the legend says them. */
const MATH_WORDS: Record<string, string> = {
  total: 'total count',
  dau: 'unique users',
  weekly_active: 'weekly active users',
  monthly_active: 'monthly active users',
  unique_session: 'unique sessions',
  unique_group: 'unique groups',
  first_time_for_user: 'first time for user',
};
const PROPERTY_MATHS = ['sum', 'avg', 'min', 'max', 'median', 'p75', 'p90', 'p95', 'p99'];

/** What a series counts: PostHog's total count unless it says otherwise. */
function mathWords(action: TrendSeries['action']): string {
  const math = action?.math ?? 'total';
  if (PROPERTY_MATHS.includes(math) && action?.math_property) return `${math} of ${action.math_property}`;
  return MATH_WORDS[math] ?? math;
}

/**
 * The series' event and math ("$pageview — unique users"), and its breakdown value when broken down (PostHog's label
 * is then the value alone).
 */
function seriesName(s: TrendSeries): string {
  const math = ` — ${mathWords(s.action)}`;
  if (s.breakdown_value === undefined || s.breakdown_value === null) return `${s.label}${math}`;
  const series = s.action?.custom_name || s.action?.name || s.label;
  return `${series}${math} · ${breakdownText(s.breakdown_value)}`;
}

export function Trends({
  results,
  display,
  actorsHref,
}: {
  results: TrendSeries[];
  display: 'line' | 'bar';
  actorsHref?: ActorsHref;
}) {
  if (results.length === 0) return <p class="empty">No data for this query.</p>;
  const labels = results[0]?.labels ?? [];
  const chart = {
    display,
    labels,
    days: results[0]?.days ?? [],
    series: results.map((s, i) => ({
      name: seriesName(s),
      color: SERIES_COLORS[i % SERIES_COLORS.length],
      data: s.data,
    })),
  };
  return (
    <section>
      <div
        class="chart"
        id="trend-chart"
        data-chart={JSON.stringify(chart)}
        role="img"
        aria-label="Trend chart; the same numbers are in the table below"
      />
      <ul class="legend" id="trend-legend">
        <li class="hover-label" hidden />
        {chart.series.map((s) => (
          <li>
            <span class="swatch" style={`background:${s.color}`} />
            <span class="series-name">{s.name}</span> <output class="hover-value" />
          </li>
        ))}
      </ul>
      <ListTable
        name="trends-table"
        columns={['Series', { label: 'Total', num: true }, ...labels.map((l) => ({ label: l, num: true as const }))]}
        items={results}
        empty={null}
        row={(s) => (
          <tr>
            <th scope="row">{seriesName(s)}</th>
            <td class="num">{s.count}</td>
            {s.data.map((v, i) => (
              <td class="num">
                <NumberLink
                  href={actorsHref}
                  number={{
                    series: s.action?.order ?? 0,
                    day: s.days[i],
                    breakdown: s.breakdown_value === undefined ? null : String(s.breakdown_value),
                    compare: s.compare_label,
                  }}
                >
                  {formatNumber(v)}
                </NumberLink>
              </td>
            ))}
          </tr>
        )}
      />
    </section>
  );
}
