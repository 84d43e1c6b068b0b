/**
 * A dashboard shared by its secret link: no key, only that dashboard's tiles (no links, no
 * controls, no person ids unless the owner opted in), framable by other sites only if the owner
 * allowed it. Results are served from the cache and recalculated when stale ("blocking").
 */
import { dbOf } from '../../../db/client';
import { getProject } from '../../../db/projects';
import { projectDb } from '../../../db/shards';
import { dashboardByShareToken } from '../../../dashboards/dashboard-store';
import { dashboardView } from '../../../dashboards/views';
import { executionCtxOf } from '../../../http/context';
import type { WebContext } from '../../context';
import { render } from '../../render';
import { Layout, Time } from '../../ui';
import { filterSummary } from './filter-form';
import { TileGrid } from './tile-grid';
import { idOf } from './web-results';

/** The app's policy with `frame-ancestors` as the owner chose. */
function sharedPagePolicy(basePolicy: string, allowEmbedding: boolean): string {
  return basePolicy.replace("frame-ancestors 'none'", allowEmbedding ? 'frame-ancestors *' : "frame-ancestors 'none'");
}

export async function sharedDashboardPage(c: WebContext, basePolicy: string) {
  const projectId = idOf(c.req.param('project_id'));
  const token = c.req.param('token') ?? '';
  const project =
    projectId && /^[A-Za-z0-9_-]{20,64}$/.test(token) ? await getProject(dbOf(c.env.DB), projectId) : undefined;
  const db = project ? await projectDb(c.env, project.id) : undefined;
  const dashboard = project && db ? await dashboardByShareToken(db, project.id, token) : undefined;
  if (!project || !db || !dashboard) {
    c.header('Content-Security-Policy', basePolicy);
    c.header('X-Frame-Options', 'DENY');
    return render(
      c,
      <Layout c={c} title="Not shared" signedIn={false}>
        <h1>Nothing to show</h1>
        <p>This link does not open a dashboard: it may have been turned off or replaced.</p>
      </Layout>,
      404,
    );
  }
  const settings = dashboard.shareSettings as { allowEmbedding?: boolean; showPersonIds?: boolean };
  const exec = executionCtxOf(c);
  const view = await dashboardView(
    { env: c.env, project, db, now: Date.now(), waitUntil: (w) => (exec ? exec.waitUntil(w) : void w) },
    dashboard,
    'blocking',
  );
  c.header('Content-Security-Policy', sharedPagePolicy(basePolicy, Boolean(settings.allowEmbedding)));
  if (!settings.allowEmbedding) c.header('X-Frame-Options', 'DENY');
  const filters = dashboard.filters as { date_from?: string; date_to?: string; properties?: Record<string, unknown>[] };
  return render(
    c,
    <Layout c={c} title={dashboard.name} signedIn={false} styles={['dashboards.css']}>
      <h1>{dashboard.name}</h1>
      {dashboard.description && <p>{dashboard.description}</p>}
      <p class="muted">
        Last refreshed <Time at={view.last_refresh} />
        {filterSummary(filters) && ` · ${filterSummary(filters)}`}
      </p>
      <TileGrid tiles={view.tiles} showPersonIds={Boolean(settings.showPersonIds)} />
    </Layout>,
  );
}
