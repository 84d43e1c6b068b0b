/**
 * The insights page's URL parameters for a saved query, so a saved insight opens in the editor:
 * the inverse of `queryOf` (src/web/insight-query.ts) for the queries that form builds. Another
 * query (saved through the API) has none: it is edited through the API.
 */
import { type InsightForm, insightFormOf, queryOf } from '../../insight-query';
import type { ActorsHref } from './actors-link';

type Params = [string, string][];

const str = (v: unknown) => (typeof v === 'string' ? v : '');

function paramsOf(source: Record<string, unknown>): Params | undefined {
  const range = (source.dateRange ?? {}) as { date_from?: unknown; date_to?: unknown };
  const breakdown = (source.breakdownFilter ?? {}) as { breakdown?: unknown; breakdown_type?: unknown };
  const dates: Params = [
    ['date_from', str(range.date_from)],
    ['date_to', str(range.date_to)],
  ];
  const bd: Params = breakdown.breakdown
    ? [
        ['breakdown', str(breakdown.breakdown)],
        ['breakdown_type', str(breakdown.breakdown_type)],
      ]
    : [];
  // The form's one property filter; any other `properties` is not the form's (the rebuilt query then differs).
  const filter = (Array.isArray(source.properties) ? source.properties[0] : undefined) as
    | Record<string, unknown>
    | undefined;
  const property: Params = filter
    ? [
        ['prop_type', str(filter.type)],
        ['key', str(filter.key)],
        ['op', str(filter.operator)],
        ['value', str(filter.value)],
      ]
    : [];
  const series = (Array.isArray(source.series) ? source.series : []) as { event?: unknown; math?: unknown }[];
  if (source.kind === 'TrendsQuery') {
    const display =
      (source.trendsFilter as { display?: unknown } | undefined)?.display === 'ActionsBar' ? 'bar' : 'line';
    return [
      ['kind', 'trends'],
      ...series.flatMap(
        (s): Params => [
          ['event', str(s.event)],
          ['math', str(s.math) || 'total'],
        ],
      ),
      ['interval', str(source.interval)],
      ...dates,
      ...property,
      ...bd,
      ['display', display],
    ];
  }
  if (source.kind === 'FunnelsQuery') {
    const f = (source.funnelsFilter ?? {}) as { funnelWindowInterval?: unknown; funnelWindowIntervalUnit?: unknown };
    return [
      ['kind', 'funnels'],
      ...series.map((s): [string, string] => ['event', str(s.event)]),
      ...dates,
      ...property,
      ...bd,
      ['window', String(f.funnelWindowInterval ?? '')],
      ['window_unit', str(f.funnelWindowIntervalUnit)],
    ];
  }
  if (source.kind === 'RetentionQuery') {
    const r = (source.retentionFilter ?? {}) as Record<string, unknown>;
    const id = (e: unknown) => str((e as { id?: unknown } | undefined)?.id);
    return [
      ['kind', 'retention'],
      ['target', id(r.targetEntity)],
      ['returning', id(r.returningEntity)],
      ['period', str(r.period)],
      ['intervals', String(r.totalIntervals ?? '')],
      ['retention_type', str(r.retentionType)],
      ['date_to', str(range.date_to)],
      ...property,
    ];
  }
  return undefined;
}

/** The search string that reopens `source` in the form, only when the form rebuilds exactly that query. */
export function editorSearchOf(source: Record<string, unknown>): string | undefined {
  const params = paramsOf(source);
  if (!params) return undefined;
  const search = new URLSearchParams(params.filter(([, v]) => v !== ''));
  const form: InsightForm = insightFormOf(
    (name) => search.get(name) ?? undefined,
    (name) => search.getAll(name),
  );
  const rebuilt = queryOf(form);
  return 'query' in rebuilt && JSON.stringify(rebuilt.query) === JSON.stringify(source) ? search.toString() : undefined;
}

/** Links from a saved query's numbers to the persons behind them: only when the insights page rebuilds that exact query. */
export function actorsHrefOfSource(actorsPath: string, source: Record<string, unknown>): ActorsHref | undefined {
  const search = editorSearchOf(source);
  if (search === undefined) return undefined;
  return (number) => {
    const params = new URLSearchParams(search);
    for (const [name, value] of Object.entries(number))
      if (value !== undefined && value !== null) params.set(name, String(value));
    return `${actorsPath}?${params}`;
  };
}
