/**
 * What a tile shows of its insight's result, server-rendered (no script): a trend's totals with
 * a sparkline, a funnel's steps, a retention table, or an event list's first rows. Every value
 * is text (JSX escapes it).
 */
import type { FC } from 'hono/jsx';
import type { ActorsHref } from '../insights/actors-link';
import { Funnel, type FunnelStep } from '../insights/funnels';
import { NumberLink } from '../insights/number-link';
import { formatNumber } from '../insights/format';
import { Retention, type RetentionRow } from '../insights/retention';
import type { TrendSeries } from '../insights/trends';

const MAX_SERIES = 6;
const MAX_EVENT_ROWS = 20;
/** Event columns that name a person; shared pages hide them unless the owner opted in. */
const PERSON_COLUMN = /^(\*|person_id|distinct_id|person(\.|$))/;

function Sparkline({ data }: { data: number[] }) {
  if (data.length < 2) return null;
  const max = Math.max(1, ...data);
  const points = data.map((v, i) => `${(i * 100) / (data.length - 1)},${30 - (v / max) * 28}`).join(' ');
  return (
    <svg class="sparkline" viewBox="0 0 100 31" preserveAspectRatio="none" aria-hidden="true">
      <polyline points={points} fill="none" stroke="#1d4aff" stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}

/** Which trend number a cell is (as the insights page's table links it): series, bucket, breakdown, period. */
const trendNumber = (s: TrendSeries, day?: string) => ({
  series: s.action?.order ?? 0,
  day,
  breakdown: s.breakdown_value === undefined || s.breakdown_value === null ? null : String(s.breakdown_value),
  compare: s.compare_label,
});

const seriesLabel = (s: TrendSeries) =>
  s.breakdown_value !== undefined && s.breakdown_value !== null ? `${s.label} · ${String(s.breakdown_value)}` : s.label;

/** Every bucket's number of the shown series, each opening its persons (a total over buckets counts no one set). */
function TrendCells({
  results,
  interval,
  actorsHref,
}: {
  results: TrendSeries[];
  interval: string;
  actorsHref: ActorsHref;
}) {
  const first = results[0];
  if (!first || (first.data ?? []).length === 0) return null;
  return (
    <details class="tile-cells">
      <summary>Each {interval}</summary>
      <div class="scroll">
        <table class="list trend-cells">
          <thead>
            <tr>
              <th scope="col">{interval}</th>
              {results.map((s) => (
                <th scope="col" class="num">
                  {seriesLabel(s)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {first.labels.map((label, i) => (
              <tr>
                <th scope="row">{label}</th>
                {results.map((s) => (
                  <td class="num">
                    <NumberLink href={actorsHref} number={trendNumber(s, s.days[i])}>
                      {formatNumber(s.data[i] ?? 0)}
                    </NumberLink>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

function TrendTotals({
  results,
  interval,
  actorsHref,
}: {
  results: TrendSeries[];
  interval: string;
  actorsHref?: ActorsHref;
}) {
  if (results.length === 0) return <p class="empty">No data for this range.</p>;
  const shown = results.slice(0, MAX_SERIES);
  // A display of one number for the whole range (aggregated_value) counts the range's persons: that opens them.
  const aggregated = shown.some((s) => s.aggregated_value !== undefined && s.aggregated_value !== null);
  return (
    <>
      <ul class="tile-series">
        {shown.map((s) => (
          <li>
            {aggregated ? (
              <NumberLink href={actorsHref} number={trendNumber(s)} class="tile-number">
                {formatNumber(s.aggregated_value ?? s.count)}
              </NumberLink>
            ) : (
              <span class="tile-number">{formatNumber(s.count)}</span>
            )}
            <span class="tile-label">{seriesLabel(s)}</span>
            <Sparkline data={s.data ?? []} />
          </li>
        ))}
        {results.length > MAX_SERIES && <li class="muted">and {results.length - MAX_SERIES} more series</li>}
      </ul>
      {!aggregated && actorsHref && <TrendCells results={shown} interval={interval} actorsHref={actorsHref} />}
    </>
  );
}

function EventRows({ columns, rows, showPersonIds }: { columns: string[]; rows: unknown[][]; showPersonIds: boolean }) {
  const hidden = columns.map((c) => !showPersonIds && PERSON_COLUMN.test(c));
  return (
    <div class="scroll">
      <table class="list">
        <thead>
          <tr>
            {columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, MAX_EVENT_ROWS).map((row) => (
            <tr>
              {row.map((v, i) => (
                <td>{hidden[i] ? '(hidden)' : typeof v === 'string' ? v : JSON.stringify(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const TileBody: FC<{
  kind: string;
  result: unknown;
  columns: unknown[] | null;
  period: string;
  /** A trend's bucket ("day", "week", …), naming its cells. */
  interval?: string;
  showPersonIds: boolean;
  /** Links each trend cell, funnel step and retention cell to its persons (the owner's pages only). */
  actorsHref?: ActorsHref;
}> = ({ kind, result, columns, period, interval = 'day', showPersonIds, actorsHref }) => {
  if (result === null || result === undefined) return <p class="empty">Not calculated yet: refresh the dashboard.</p>;
  if (!Array.isArray(result)) return <p class="empty">No data.</p>;
  if (kind === 'TrendsQuery')
    return <TrendTotals results={result as TrendSeries[]} interval={interval} actorsHref={actorsHref} />;
  if (kind === 'FunnelsQuery')
    return <Funnel results={result as FunnelStep[] | FunnelStep[][]} actorsHref={actorsHref} />;
  if (kind === 'RetentionQuery')
    return <Retention results={result as RetentionRow[]} period={period} actorsHref={actorsHref} />;
  if (kind === 'EventsQuery')
    return (
      <EventRows columns={(columns ?? []).map(String)} rows={result as unknown[][]} showPersonIds={showPersonIds} />
    );
  return <p class="empty">This kind of insight is shown in the API only.</p>;
};
