import type { Child } from 'hono/jsx';
import { Flash, Layout } from '../components';
import { appUrl, type WebContext } from '../context';
import {
  DATE_FROMS,
  FUNNEL_WINDOW_UNITS,
  INSIGHT_KINDS,
  INTERVALS,
  MATHS,
  MAX_SERIES,
  RETENTION_PERIODS,
  insightFormOf,
  queryOf,
  type InsightForm,
  type InsightKind,
} from '../insight-query';
import { render } from '../render';
import { runInsight } from '../run-insight';

const KIND_LABELS: Record<InsightKind, string> = { trends: 'Trends', funnels: 'Funnel', retention: 'Retention' };

/** Distinct colours for series, in order (also used by the chart script, via the data it is given). */
export const SERIES_COLORS = [
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

export async function insightsPage(c: WebContext) {
  const project = c.get('project');
  const form = insightFormOf(
    (name) => c.req.query(name),
    (name) => c.req.queries(name) ?? [],
  );
  const built = queryOf(form);
  const outcome = 'query' in built ? await runInsight(c.env, project, built.query) : { error: built.missing };
  const path = `/projects/${project.id}/insights`;
  return render(
    c,
    <Layout
      c={c}
      title={KIND_LABELS[form.kind]}
      project={project}
      section="insights"
      scripts={form.kind === 'trends' ? ['insights.js'] : []}
      libraries={form.kind === 'trends' ? ['uPlot.iife.min.js'] : []}
      styles={form.kind === 'trends' ? ['uPlot.min.css'] : []}
    >
      <h1>Insights</h1>
      <nav class="tabs" aria-label="Insight kind">
        {INSIGHT_KINDS.map((k) => (
          <a href={appUrl(c, path, { kind: k })} aria-current={form.kind === k ? 'page' : undefined}>
            {KIND_LABELS[k]}
          </a>
        ))}
      </nav>
      <InsightFormView c={c} path={path} form={form} />
      {'error' in outcome ? (
        <Flash kind="error">{outcome.error}</Flash>
      ) : form.kind === 'trends' ? (
        <Trends results={outcome.response.results as TrendSeries[]} display={form.display} />
      ) : form.kind === 'funnels' ? (
        <Funnel results={outcome.response.results as FunnelStep[] | FunnelStep[][]} />
      ) : (
        <Retention results={outcome.response.results as RetentionRow[]} period={form.period} />
      )}
      {'query' in built && (
        <details class="query-json">
          <summary>Query (for POST /api/projects/{project.id}/query/)</summary>
          <pre class="json" data-copy>
            {JSON.stringify({ query: built.query }, null, 2)}
          </pre>
        </details>
      )}
    </Layout>,
  );
}

function Select({
  name,
  value,
  options,
  label,
}: {
  name: string;
  value: string;
  options: readonly (readonly [string, string])[];
  label: string;
}) {
  return (
    <select name={name} aria-label={label}>
      {options.map(([v, text]) => (
        <option value={v} selected={v === value}>
          {text}
        </option>
      ))}
    </select>
  );
}

const same = (values: readonly string[]) => values.map((v) => [v, v] as const);

function InsightFormView({ c, path, form }: { c: WebContext; path: string; form: InsightForm }) {
  const rows = Math.min(MAX_SERIES, form.events.filter((e) => e !== '').length + 1);
  const events = Array.from(
    { length: Math.max(rows, form.kind === 'funnels' ? 2 : 1) },
    (_, i) => form.events[i] ?? '',
  );
  const dateRange = (
    <>
      <label>
        Date range
        <Select name="date_from" value={form.dateFrom} options={DATE_FROMS} label="Date range" />
      </label>
      <label>
        Until (optional)
        <input type="date" name="date_to" value={form.dateTo} />
      </label>
    </>
  );
  const breakdown = (
    <label>
      Breakdown by property
      <span class="row">
        <Select
          name="breakdown_type"
          value={form.breakdownType}
          options={[
            ['event', 'event'],
            ['person', 'person'],
          ]}
          label="Breakdown property type"
        />
        <input name="breakdown" value={form.breakdown} placeholder="$browser" aria-label="Breakdown property" />
      </span>
    </label>
  );
  let fields: Child;
  if (form.kind === 'trends') {
    fields = (
      <>
        <fieldset>
          <legend>Series</legend>
          {events.map((e, i) => (
            <div class="row">
              <input
                name="event"
                value={e}
                placeholder={i === 0 ? 'event, empty = all events' : 'another event'}
                aria-label={`Series ${i + 1} event`}
              />
              <Select name="math" value={form.maths[i] ?? 'total'} options={MATHS} label={`Series ${i + 1} math`} />
            </div>
          ))}
        </fieldset>
        <div class="row">
          <label>
            Interval
            <Select name="interval" value={form.interval} options={same(INTERVALS)} label="Interval" />
          </label>
          {dateRange}
          {breakdown}
          <label>
            Chart
            <Select
              name="display"
              value={form.display}
              options={[
                ['line', 'Line'],
                ['bar', 'Bar'],
              ]}
              label="Chart type"
            />
          </label>
        </div>
      </>
    );
  } else if (form.kind === 'funnels') {
    fields = (
      <>
        <fieldset>
          <legend>Steps, in order</legend>
          {events.map((e, i) => (
            <div class="row">
              <input name="event" value={e} placeholder={`step ${i + 1} event`} aria-label={`Step ${i + 1} event`} />
            </div>
          ))}
        </fieldset>
        <div class="row">
          {dateRange}
          <label>
            Conversion window
            <span class="row">
              <input
                name="window"
                type="number"
                min={1}
                value={String(form.funnelWindow)}
                aria-label="Conversion window"
              />
              <Select
                name="window_unit"
                value={form.funnelWindowUnit}
                options={same(FUNNEL_WINDOW_UNITS)}
                label="Conversion window unit"
              />
            </span>
          </label>
          {breakdown}
        </div>
      </>
    );
  } else {
    fields = (
      <div class="row">
        <label>
          Cohort: did
          <input name="target" value={form.target} />
        </label>
        <label>
          Came back to
          <input name="returning" value={form.returning} />
        </label>
        <label>
          Period
          <Select name="period" value={form.period} options={same(RETENTION_PERIODS)} label="Period" />
        </label>
        <label>
          Periods
          <input name="intervals" type="number" min={2} max={30} value={String(form.totalIntervals)} />
        </label>
        <label>
          Counting
          <Select
            name="retention_type"
            value={form.retentionType}
            options={[
              ['retention_first_time', 'First time'],
              ['retention_recurring', 'Recurring'],
            ]}
            label="Retention type"
          />
        </label>
        <label>
          Until (optional)
          <input type="date" name="date_to" value={form.dateTo} />
        </label>
      </div>
    );
  }
  return (
    <form method="get" action={appUrl(c, path)} class="insight-form">
      <input type="hidden" name="kind" value={form.kind} />
      {fields}
      <div>
        <button type="submit">Show</button>
      </div>
    </form>
  );
}

interface TrendSeries {
  label: string;
  data: number[];
  labels: string[];
  days: string[];
  count: number;
  breakdown_value?: unknown;
  aggregated_value?: number;
  action?: { name?: string | null; custom_name?: string | null } | null;
}

/** The series' event, and its breakdown value when broken down (PostHog's label is then the value alone). */
function seriesName(s: TrendSeries): string {
  if (s.breakdown_value === undefined || s.breakdown_value === null) return s.label;
  const series = s.action?.custom_name || s.action?.name || s.label;
  return `${series} · ${breakdownText(s.breakdown_value)}`;
}

function breakdownText(v: unknown): string {
  if (v === '$$_posthog_breakdown_null_$$') return '(none)';
  if (v === '$$_posthog_breakdown_other_$$') return '(other)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function Trends({ results, display }: { results: TrendSeries[]; display: 'line' | 'bar' }) {
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
      <ul class="legend">
        {chart.series.map((s) => (
          <li>
            <span class="swatch" style={`background:${s.color}`} />
            {s.name}
          </li>
        ))}
      </ul>
      <div class="scroll">
        <table class="list trends-table">
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col" class="num">
                Total
              </th>
              {labels.map((l) => (
                <th scope="col" class="num">
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {results.map((s) => (
              <tr>
                <th scope="row">{seriesName(s)}</th>
                <td class="num">{s.count}</td>
                {s.data.map((v) => (
                  <td class="num">{formatNumber(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

interface FunnelStep {
  name: string;
  custom_name?: string | null;
  order: number;
  count: number;
  average_conversion_time: number | null;
  median_conversion_time: number | null;
  breakdown_value?: unknown;
}

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

const percent = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

function Funnel({ results }: { results: FunnelStep[] | FunnelStep[][] }) {
  if (results.length === 0) return <p class="empty">No data for this query.</p>;
  const groups: FunnelStep[][] = Array.isArray(results[0]) ? (results as FunnelStep[][]) : [results as FunnelStep[]];
  return (
    <section>
      {groups.map((steps) => {
        const first = steps[0]?.count ?? 0;
        const bv = steps[0]?.breakdown_value;
        const last = steps.at(-1);
        return (
          <div class="funnel-group">
            {bv !== undefined && <h2>{Array.isArray(bv) ? bv.map(breakdownText).join(', ') : breakdownText(bv)}</h2>}
            <p class="meta">
              {formatNumber(percent(last?.count ?? 0, first))}% converted from the first step to the last (
              {last?.count ?? 0} of {first}).
            </p>
            <ol class="funnel">
              {steps.map((s, i) => {
                const previous = i > 0 ? steps[i - 1]!.count : s.count;
                const conversion = percent(s.count, first);
                return (
                  <li class="step">
                    <div>
                      <strong>
                        {i + 1}. {s.custom_name || s.name}
                      </strong>
                    </div>
                    <div
                      class="bar"
                      role="img"
                      aria-label={`${s.count} persons, ${conversion.toFixed(1)}% of the first step`}
                    >
                      <span class="fill" style={`width:${conversion.toFixed(2)}%`} />
                      <span class="label">
                        {s.count} · {conversion.toFixed(1)}%
                      </span>
                    </div>
                    <div class="stats">
                      {i > 0 ? (
                        <>
                          {formatNumber(percent(s.count, previous))}% from the previous step, {previous - s.count}{' '}
                          dropped off · average time {duration(s.average_conversion_time)}, median{' '}
                          {duration(s.median_conversion_time)}
                        </>
                      ) : (
                        'entered the funnel'
                      )}
                    </div>
                  </li>
                );
              })}
            </ol>
          </div>
        );
      })}
    </section>
  );
}

interface RetentionRow {
  date: string;
  label: string;
  values: { count: number; label?: string }[];
}

function Retention({ results, period }: { results: RetentionRow[]; period: string }) {
  if (results.length === 0) return <p class="empty">No data for this query.</p>;
  const width = Math.max(...results.map((r) => r.values.length));
  return (
    <div class="scroll">
      <table class="list retention">
        <thead>
          <tr>
            <th scope="col">Cohort</th>
            <th scope="col" class="num">
              Persons
            </th>
            {Array.from({ length: width }, (_, i) => (
              <th scope="col">{`${period} ${i}`}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {results.map((r) => {
            const size = r.values[0]?.count ?? 0;
            return (
              <tr>
                <th scope="row">{r.date ? r.date.slice(0, 10) : r.label}</th>
                <td class="num">{size}</td>
                {Array.from({ length: width }, (_, i) => {
                  const v = r.values[i];
                  if (!v) return <td />;
                  const p = percent(v.count, size);
                  const alpha = (0.08 + (0.85 * p) / 100).toFixed(3);
                  return (
                    <td
                      style={`background:rgba(29,74,255,${alpha});color:${p > 50 ? '#fff' : 'inherit'}`}
                      title={`${v.count} of ${size}`}
                      data-count={String(v.count)}
                    >
                      {size > 0 ? `${p.toFixed(1)}%` : '—'}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
