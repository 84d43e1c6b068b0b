/** The insights page: trends, funnels and retention, run through the query endpoint's engine. */
import { appUrl, type WebContext } from '../../context';
import { INSIGHT_KINDS, insightFormOf, queryOf, type InsightKind } from '../../insight-query';
import { render } from '../../render';
import { runInsight } from '../../run-insight';
import { Flash, Layout } from '../../ui';
import { actorsHrefOf } from './actors-link';
import { InsightFormView } from './form';
import { Funnel, type FunnelStep } from './funnels';
import { Retention, type RetentionRow } from './retention';
import { insightBeingEdited, SaveInsightForm } from './save-form';
import { Trends, type TrendSeries } from './trends';

const KIND_LABELS: Record<InsightKind, string> = { trends: 'Trends', funnels: 'Funnel', retention: 'Retention' };

export async function insightsPage(c: WebContext) {
  const project = c.get('project');
  const form = insightFormOf(
    (name) => c.req.query(name),
    (name) => c.req.queries(name) ?? [],
  );
  const built = queryOf(form);
  const outcome = 'query' in built ? await runInsight(c.env, project, built.query) : { error: built.missing };
  const path = `/projects/${project.id}/insights`;
  const editing = await insightBeingEdited(c);
  const actorsHref = actorsHrefOf(c, path);
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
      <InsightFormView c={c} path={path} form={form} saved={editing?.id} />
      {'error' in outcome ? (
        <Flash kind="error">{outcome.error}</Flash>
      ) : form.kind === 'trends' ? (
        <Trends results={outcome.response.results as TrendSeries[]} display={form.display} actorsHref={actorsHref} />
      ) : form.kind === 'funnels' ? (
        <Funnel results={outcome.response.results as FunnelStep[] | FunnelStep[][]} actorsHref={actorsHref} />
      ) : (
        <Retention results={outcome.response.results as RetentionRow[]} period={form.period} actorsHref={actorsHref} />
      )}
      {'query' in built && !('error' in outcome) && <SaveInsightForm c={c} editing={editing} />}
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
