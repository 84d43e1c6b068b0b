/** The insights page: trends, funnels and retention, run through the query endpoint's engine. */
import { projectReadDb } from '../../../db/shards';
import { appUrl, type WebContext } from '../../context';
import { INSIGHT_KINDS, insightFormOf, queryOf, type InsightForm, type InsightKind } from '../../insight-query';
import { pageAssets } from '../../page-assets';
import { exampleValues } from '../../property-values';
import { render } from '../../render';
import { runInsight } from '../../run-insight';
import { loadTaxonomy, type NameCheck, propertyNameKind, unknownNames } from '../../taxonomy';
import { Flash, Layout } from '../../ui';
import { FirstEventPanel, projectHasEvents } from '../first-event';
import { Datalists, UnknownNames } from '../pickers';
import { actorsHrefOf } from './actors-link';
import { InsightFormView } from './form';
import { Funnel, type FunnelStep } from './funnels';
import { Retention, type RetentionRow } from './retention';
import { insightBeingEdited, SaveInsightForm } from './save-form';
import { Trends, type TrendSeries } from './trends';

const KIND_LABELS: Record<InsightKind, string> = { trends: 'Trends', funnels: 'Funnel', retention: 'Retention' };

/** Every event and property name the form was given, to flag those the project never received. */
function namesOf(form: InsightForm): NameCheck[] {
  const events = form.kind === 'retention' ? [form.target, form.returning] : form.events;
  const checks: NameCheck[] = events.map((name) => ({ kind: 'event', name }));
  if (form.kind !== 'retention' && form.breakdown)
    checks.push({ kind: propertyNameKind(form.breakdownType), name: form.breakdown });
  const { fields } = form.property;
  if (fields.key) checks.push({ kind: propertyNameKind(fields.type), name: fields.key });
  return checks;
}

export async function insightsPage(c: WebContext) {
  const project = c.get('project');
  const form = insightFormOf(
    (name) => c.req.query(name),
    (name) => c.req.queries(name) ?? [],
  );
  const built = queryOf(form);
  const db = await projectReadDb(c.env, project.id);
  const filterKey = form.property.fields.key;
  const [taxonomy, hasEvents, unknown, examples] = await Promise.all([
    loadTaxonomy(db, project.id),
    projectHasEvents(c.env, project.id),
    unknownNames(db, project.id, namesOf(form)),
    filterKey ? exampleValues(c.env, project, form.property.fields.type, filterKey) : [],
  ]);
  // The form's own mistakes are shown even in an empty project; a query is run once there are events to count.
  const outcome =
    'missing' in built
      ? { error: built.missing, status: 400 as const }
      : hasEvents
        ? await runInsight(c.env, project, built.query)
        : undefined;
  const path = `/projects/${project.id}/insights`;
  const editing = await insightBeingEdited(c);
  const actorsHref = actorsHrefOf(c, path);
  const assets = pageAssets(
    form.kind === 'trends' ? 'insights: trends' : 'insights: funnels, retention',
    !hasEvents && 'empty project (project, events, insights)',
  );
  return render(
    c,
    <Layout c={c} title={KIND_LABELS[form.kind]} project={project} section="insights" {...assets}>
      <h1>Insights</h1>
      <nav class="tabs" aria-label="Insight kind">
        {INSIGHT_KINDS.map((k) => (
          <a href={appUrl(c, path, { kind: k })} aria-current={form.kind === k ? 'page' : undefined}>
            {KIND_LABELS[k]}
          </a>
        ))}
      </nav>
      <Datalists taxonomy={taxonomy} />
      <InsightFormView c={c} path={path} form={form} saved={editing?.id} taxonomy={taxonomy} examples={examples} />
      {hasEvents && <UnknownNames unknown={unknown} />}
      {outcome === undefined ? (
        <FirstEventPanel c={c} />
      ) : 'error' in outcome ? (
        <Flash kind="error">{outcome.error}</Flash>
      ) : form.kind === 'trends' ? (
        <Trends results={outcome.response.results as TrendSeries[]} display={form.display} actorsHref={actorsHref} />
      ) : form.kind === 'funnels' ? (
        <Funnel results={outcome.response.results as FunnelStep[] | FunnelStep[][]} actorsHref={actorsHref} />
      ) : (
        <Retention results={outcome.response.results as RetentionRow[]} period={form.period} actorsHref={actorsHref} />
      )}
      {'query' in built && outcome && !('error' in outcome) && <SaveInsightForm c={c} editing={editing} />}
      {'query' in built && (
        <details class="query-json">
          <summary>Query (for POST /api/projects/{project.id}/query/)</summary>
          <pre class="json" data-copy>
            {JSON.stringify({ query: built.query }, null, 2)}
          </pre>
        </details>
      )}
    </Layout>,
    outcome && 'error' in outcome ? outcome.status : 200,
  );
}
