/** Saved insights in the web app: the list with search, one insight's page, and saving, editing and deleting. */
import { z } from 'zod';
import { deepestIssue } from '../../../api/query';
import { createInsight, getInsight, listInsights, updateInsight } from '../../../dashboards/insight-store';
import { insightSourceOf } from '../../../dashboards/insight-query';
import { seedInsightResult } from '../../../dashboards/results';
import { checkQueryToSave, insightView } from '../../../dashboards/views';
import { QueryError } from '../../../query/errors';
import { appUrl, type WebContext } from '../../context';
import { insightFormOf, queryOf } from '../../insight-query';
import { issuesText } from '../../issues';
import { notFoundPage, render } from '../../render';
import { Flash, Layout, ListTable, Time, SearchForm } from '../../ui';
import { pageAssets } from '../../page-assets';
import { TileBody } from '../dashboards/tile-body';
import { idOf, webResultContext } from '../dashboards/web-results';
import { Trends, type TrendSeries } from './trends';
import { numberHref, savedInsightActorsPath } from '../dashboards/paths';
import { editorSearchOf } from './saved-params';

const PAGE = 100;
const savedPath = (projectId: number, id?: number) => `/projects/${projectId}/insights/saved${id ? `/${id}` : ''}`;

export async function savedInsightsPage(c: WebContext) {
  const ctx = await webResultContext(c);
  const search = (c.req.query('search') ?? '').slice(0, 200);
  const filter = { search: search || undefined, order: '-last_modified_at' as const };
  const { rows, count } = await listInsights(ctx.db, ctx.project.id, filter, PAGE, 0);
  return render(
    c,
    <Layout c={c} title="Saved insights" project={ctx.project} section="insights" styles={['dashboards.css']}>
      <h1>Saved insights</h1>
      <p>
        <a href={appUrl(c, `/projects/${ctx.project.id}/insights`)}>New insight</a>
      </p>
      <SearchForm action={appUrl(c, savedPath(ctx.project.id))} label="Search saved insights" search={search} />
      <ListTable
        name="saved-insights"
        columns={['Name', 'Kind', 'Description', 'Last modified']}
        items={rows}
        total={count}
        empty={<p class="empty">{search ? 'No saved insight matches.' : 'No saved insights yet.'}</p>}
        row={(i) => (
          <tr>
            <td>
              <a href={appUrl(c, savedPath(ctx.project.id, i.id))}>{i.name || `Untitled (${i.shortId})`}</a>
            </td>
            <td>{String(insightSourceOf(i.query).kind ?? '')}</td>
            <td>{i.description}</td>
            <td>
              <Time at={i.lastModifiedAt} />
            </td>
          </tr>
        )}
      />
    </Layout>,
  );
}

export async function savedInsightPage(c: WebContext, error?: string, status: 200 | 400 = 200) {
  const ctx = await webResultContext(c);
  const id = idOf(c.req.param('insight_id'));
  const insight = id ? await getInsight(ctx.db, ctx.project.id, id) : undefined;
  if (!insight) return notFoundPage(c, 'No such saved insight.');
  let view: Awaited<ReturnType<typeof insightView>> | undefined;
  let failure = error;
  try {
    view = await insightView(ctx, insight, c.req.query('refresh') === '1' ? 'force_blocking' : 'blocking');
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    failure = e.detail;
  }
  const source = insightSourceOf(insight.query);
  const kind = String(source.kind ?? '');
  const editor = editorSearchOf(source);
  const path = savedPath(ctx.project.id, insight.id);
  const dashboards = view?.dashboards ?? [];
  const trends = kind === 'TrendsQuery';
  const actorsHref = numberHref(appUrl(c, savedInsightActorsPath(ctx.project.id, insight.id)));
  return render(
    c,
    <Layout
      c={c}
      title={insight.name || 'Saved insight'}
      project={ctx.project}
      section="insights"
      {...pageAssets(trends ? 'saved insight: trends' : 'saved insight')}
    >
      <h1>{insight.name || 'Untitled insight'}</h1>
      {insight.description && <p>{insight.description}</p>}
      {failure && <Flash kind="error">{failure}</Flash>}
      <div class="dashboard-bar">
        <p>
          Computed <Time at={view?.last_refresh} /> · {kind}
        </p>
        <a class="button" href={appUrl(c, path, { refresh: 1 })}>
          Refresh
        </a>
        {editor && (
          <a
            class="button secondary"
            href={`${appUrl(c, `/projects/${ctx.project.id}/insights`)}?${editor}&saved=${insight.id}`}
          >
            Edit query
          </a>
        )}
      </div>
      {view &&
        (trends && Array.isArray(view.result) ? (
          <Trends
            results={view.result as TrendSeries[]}
            display={
              (source.trendsFilter as { display?: string } | undefined)?.display === 'ActionsBar' ? 'bar' : 'line'
            }
            actorsHref={actorsHref}
          />
        ) : (
          <TileBody
            kind={kind}
            result={view.result}
            columns={view.columns}
            period={String((source.retentionFilter as { period?: string } | undefined)?.period ?? 'Day')}
            showPersonIds={true}
            actorsHref={actorsHref}
          />
        ))}
      {dashboards.length > 0 && (
        <p>
          On dashboards:{' '}
          {dashboards.map((d) => (
            <a href={appUrl(c, `/projects/${ctx.project.id}/dashboards/${d}`)}>#{d} </a>
          ))}
        </p>
      )}
      <h2>Name and description</h2>
      <form method="post" action={appUrl(c, path)} class="stack">
        <label>
          Name <input name="name" value={insight.name ?? ''} maxlength={400} required />
        </label>
        <label>
          Description <input name="description" value={insight.description} maxlength={4000} />
        </label>
        <button type="submit">Save</button>
      </form>
      <form method="post" action={appUrl(c, `${path}/delete`)} class="danger-zone">
        <button type="submit" class="danger">
          Delete insight
        </button>
      </form>
    </Layout>,
    status,
  );
}

const SaveForm = z.object({
  name: z.string().trim().min(1, 'a name is required').max(400),
  description: z.string().trim().max(4000).default(''),
  params: z.string().max(8000).optional(),
});

/** The query the insights page showed for these URL parameters. */
function queryOfParams(params: string): { query: Record<string, unknown> } | { missing: string } {
  const search = new URLSearchParams(params);
  return queryOf(
    insightFormOf(
      (n) => search.get(n) ?? undefined,
      (n) => search.getAll(n),
    ),
  );
}

async function parsedSave(c: WebContext) {
  const parsed = SaveForm.safeParse(await c.req.parseBody());
  if (!parsed.success) return { error: issuesText(parsed.error, 'form') };
  if (parsed.data.params === undefined) return { fields: parsed.data, query: undefined };
  const built = queryOfParams(parsed.data.params);
  if ('missing' in built) return { error: built.missing };
  const ctx = await webResultContext(c);
  const check = await checkQueryToSave(ctx, built.query, deepestIssue);
  if ('issue' in check) return { error: check.issue.detail };
  return { fields: parsed.data, query: built.query, answer: check.answer };
}

/** Saves the insights page's query as a new insight (or as the query of `saved`, when editing one). */
export async function saveInsightAction(c: WebContext) {
  const project = c.get('project');
  const result = await parsedSave(c);
  if ('error' in result || !result.query)
    return render(c, <SaveFailed c={c} error={result.error ?? 'Nothing to save.'} />, 400);
  const ctx = await webResultContext(c);
  const { name, description } = result.fields;
  const row = await createInsight(ctx.db, project.id, { name, description, query: result.query, saved: true });
  if (result.answer) await seedInsightResult(ctx, row, result.answer);
  return c.redirect(appUrl(c, savedPath(project.id, row.id)), 303);
}

export async function updateInsightAction(c: WebContext) {
  const ctx = await webResultContext(c);
  const id = idOf(c.req.param('insight_id'));
  const insight = id ? await getInsight(ctx.db, ctx.project.id, id) : undefined;
  if (!insight) return notFoundPage(c, 'No such saved insight.');
  const result = await parsedSave(c);
  if ('error' in result) return savedInsightPage(c, result.error, 400);
  const { name, description } = result.fields;
  await updateInsight(ctx.db, ctx.project.id, insight.id, {
    name,
    description,
    ...(result.query ? { query: result.query } : {}),
  });
  if (result.answer)
    await seedInsightResult(ctx, (await getInsight(ctx.db, ctx.project.id, insight.id))!, result.answer);
  return c.redirect(appUrl(c, savedPath(ctx.project.id, insight.id)), 303);
}

export async function deleteInsightAction(c: WebContext) {
  const ctx = await webResultContext(c);
  const id = idOf(c.req.param('insight_id'));
  if (id && (await getInsight(ctx.db, ctx.project.id, id)))
    await updateInsight(ctx.db, ctx.project.id, id, { deleted: true });
  return c.redirect(appUrl(c, savedPath(ctx.project.id)), 303);
}

function SaveFailed({ c, error }: { c: WebContext; error: string }) {
  const project = c.get('project');
  return (
    <Layout c={c} title="Not saved" project={project} section="insights">
      <h1>Not saved</h1>
      <Flash kind="error">{error}</Flash>
      <p>
        <a href={appUrl(c, `/projects/${project.id}/insights`)}>Back to insights</a>
      </p>
    </Layout>
  );
}
