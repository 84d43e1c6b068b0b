/**
 * The persons behind one number of a query: the number's parameters (`series`, `day`,
 * `breakdown`, `compare` for a trend; `step`, `breakdown` for a funnel step; `cohort`,
 * `returned` for a retention cell) pick it from the query that produced it, and PostHog's
 * ActorsQuery lists its persons through the same engine as `POST /api/projects/:id/query/`.
 * The insights page (its URL rebuilds the query), a saved insight and a dashboard tile (the
 * stored query, with the dashboard's filters) all show their persons here.
 */
import { z } from 'zod';
import { appUrl, type WebContext } from '../context';
import { issuesText } from '../issues';
import { displayName, mainDistinctId } from '../person-names';
import { render } from '../render';
import { runInsight } from '../run-insight';
import { Flash, Layout, ListTable, Pager, Time } from '../ui';

const PAGE_SIZE = 100;
/** The most persons one number's page counts (ActorsQuery's largest page). */
const MAX_COUNTED = 10_000;

export const NUMBER_PARAMS = {
  series: z.coerce.number().int().min(0).max(19).optional(),
  day: z.string().max(100).optional(),
  breakdown: z.string().max(1_000).optional(),
  compare: z.enum(['current', 'previous']).optional(),
  step: z.coerce.number().int().min(-20).max(20).optional(),
  cohort: z.coerce.number().int().min(0).max(59).optional(),
  returned: z.coerce.number().int().min(0).max(59).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};
export type NumberParams = z.infer<z.ZodObject<typeof NUMBER_PARAMS>>;

/** The ActorsQuery source for the number of `query`, and a sentence saying which number it is. */
function actorsSourceOf(query: Record<string, unknown>, p: NumberParams) {
  if (query.kind === 'FunnelsQuery') {
    const step = p.step ?? 1;
    const bv = p.breakdown === undefined ? {} : { funnelStepBreakdown: [p.breakdown] };
    const what = step > 0 ? `reached step ${step}` : `reached step ${-step - 1} and dropped off before step ${-step}`;
    return { source: { kind: 'FunnelsActorsQuery', source: query, funnelStep: step, ...bv }, what };
  }
  if (query.kind === 'RetentionQuery') {
    const cohort = p.cohort ?? 0;
    const returned = p.returned ?? 0;
    const what = returned === 0 ? `cohort ${cohort}` : `cohort ${cohort}, back in period ${returned}`;
    return { source: { kind: 'InsightActorsQuery', source: query, interval: cohort }, what };
  }
  if (query.kind !== 'TrendsQuery') return undefined;
  const what = [
    `series ${(p.series ?? 0) + 1}`,
    p.day ? `on ${p.day}` : 'over the range',
    p.breakdown === undefined ? '' : `breakdown ${p.breakdown}`,
    p.compare === 'previous' ? '(previous period)' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const source = {
    kind: 'InsightActorsQuery',
    source: query,
    series: p.series ?? 0,
    ...(p.day ? { day: p.day } : {}),
    ...(p.breakdown === undefined ? {} : { breakdown: p.breakdown }),
    ...(p.compare ? { compare: p.compare } : {}),
  };
  return { source, what };
}

interface ActorsResponse {
  results: unknown[][];
  hasMore: boolean;
  missing_actors_count: number;
}

type Person = { id: string; properties: Record<string, unknown>; created_at: string; distinct_ids: string[] };

export interface NumberActorsPage {
  /** The source query that produced the number (a TrendsQuery, FunnelsQuery or RetentionQuery), or why there is none. */
  built: { query: Record<string, unknown> } | { missing: string };
  /** The number's parameters, from the page's URL. */
  params: z.ZodSafeParseResult<NumberParams>;
  /** Where the number is shown, for the way back. */
  back: { href: string; label: string };
  /** What the number belongs to (a saved insight's name), before which number it is. */
  about?: string;
  section: 'insights' | 'dashboards';
  /** This page's URL at another offset (the same number). */
  pageAt: (offset: number) => string;
}

export async function numberActorsPage(c: WebContext, page: NumberActorsPage) {
  const project = c.get('project');
  const fail = (message: string, status: 400 | 404 = 400) =>
    render(
      c,
      <Layout c={c} title="Persons" project={project} section={page.section}>
        <h1>Persons</h1>
        <Flash kind="error">{message}</Flash>
        <p>
          <a href={page.back.href}>{page.back.label}</a>
        </p>
      </Layout>,
      status,
    );
  if (!page.params.success) return fail(issuesText(page.params.error, 'number'));
  if ('missing' in page.built) return fail(page.built.missing);
  const p = page.params.data;
  const query = page.built.query;
  const actors = actorsSourceOf(query, p);
  if (!actors) return fail(`The numbers of a ${String(query.kind)} have no persons list.`, 404);
  const { source, what } = actors;
  const trends = query.kind === 'TrendsQuery';
  const returned = query.kind === 'RetentionQuery' ? (p.returned ?? 0) : 0;
  const extra = trends ? ['event_count'] : query.kind === 'RetentionQuery' ? ['appearances'] : [];
  // Everyone the number counts (ids only), to count them and, for a retention cell, to keep those who came back.
  const counted = await runInsight(c.env, project, {
    kind: 'ActorsQuery',
    source,
    select: ['id', ...extra],
    ...(trends ? { orderBy: ['event_count DESC', 'id ASC'] } : {}),
    limit: MAX_COUNTED,
  });
  if ('error' in counted) return fail(counted.error);
  const all = counted.response as unknown as ActorsResponse;
  const kept = returned > 0 ? all.results.filter((r) => (r[1] as number[]).includes(returned)) : all.results;
  const pageIds = kept.slice(p.offset, p.offset + PAGE_SIZE).map((r) => r[0] as string);
  // The page's persons, in the same order (a retention cell's are a subset of its cohort's: read them all).
  const persons = await runInsight(c.env, project, {
    kind: 'ActorsQuery',
    source,
    select: ['id', 'person'],
    ...(trends ? { orderBy: ['event_count DESC', 'id ASC'] } : {}),
    ...(returned > 0 ? { limit: MAX_COUNTED } : { limit: PAGE_SIZE, offset: p.offset }),
  });
  const byId = new Map(
    'error' in persons ? [] : (persons.response.results as unknown[][]).map((r) => [r[0] as string, r[1] as Person]),
  );
  const eventCounts = new Map(kept.map((r) => [r[0] as string, trends ? (r[1] as number) : null]));
  const missing = returned > 0 ? null : all.missing_actors_count;
  const total = kept.length + (missing ?? 0);
  return render(
    c,
    <Layout c={c} title="Persons" project={project} section={page.section}>
      <h1>Persons</h1>
      <p class="meta">
        <a href={page.back.href}>{page.back.label}</a> · {page.about ? `${page.about}: ${what}` : what}
      </p>
      <p class="count" data-testid="actors-count">
        {all.hasMore ? `More than ${total}` : total} {total === 1 ? 'person' : 'persons'}
        {missing ? ` (${missing} without a person record: events captured without person processing)` : ''}
      </p>
      <ListTable
        name="actors"
        columns={['Person', 'Distinct ids', ...(trends ? [{ label: 'Events', num: true as const }] : []), 'Created']}
        items={pageIds}
        empty="Nobody behind this number."
        row={(id) => {
          const person = byId.get(id);
          const name = person ? (displayName(person.properties) ?? mainDistinctId(person.distinct_ids) ?? id) : id;
          return (
            <tr>
              <th scope="row">
                <a href={appUrl(c, `/projects/${project.id}/persons/${id}`)} data-person={id}>
                  {name}
                </a>
              </th>
              <td>{person ? person.distinct_ids.length : ''}</td>
              {trends && <td class="num">{eventCounts.get(id) ?? ''}</td>}
              <td>
                <Time at={person?.created_at} />
              </td>
            </tr>
          );
        }}
      />
      <Pager
        previous={p.offset > 0 ? page.pageAt(Math.max(0, p.offset - PAGE_SIZE)) : null}
        next={p.offset + PAGE_SIZE < kept.length ? page.pageAt(p.offset + PAGE_SIZE) : null}
      />
    </Layout>,
  );
}

/** `search` with its offset set to `offset` (none for 0), as a `?…` string. */
export function withOffset(search: string, offset: number): string {
  const params = new URLSearchParams(search);
  if (offset) params.set('offset', String(offset));
  else params.delete('offset');
  const s = params.toString();
  return s ? `?${s}` : '';
}
