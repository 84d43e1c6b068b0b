/** One dashboard: its filters, its tiles in a grid, refresh, adding tiles and its share link. */
import type { DashboardRow } from '../../../dashboards/dashboard-store';
import { listInsights } from '../../../dashboards/insight-store';
import { dashboardView } from '../../../dashboards/views';
import { appUrl, publicOrigin, type WebContext } from '../../context';
import { DATE_FROMS } from '../../insight-query';
import { notFoundPage, render } from '../../render';
import { Flash, Layout, Time } from '../../ui';
import { getDashboard } from '../../../dashboards/dashboard-store';
import { FILTER_OPERATORS, filterSummary } from './filter-form';
import { dashboardPath, numberHref, tileActorsPath } from './paths';
import { TileGrid } from './tile-grid';
import { idOf, webResultContext } from './web-results';
import { pageAssets } from '../../page-assets';

export const sharedPath = (d: DashboardRow) => `/shared/${d.projectId}/${d.shareToken}`;

function ShareSection({ c, d, base }: { c: WebContext; d: DashboardRow; base: string }) {
  const settings = d.shareSettings as { allowEmbedding?: boolean; showPersonIds?: boolean };
  const link = `${publicOrigin(c)}${appUrl(c, sharedPath(d))}`;
  return (
    <section class="share" aria-labelledby="share-heading">
      <h2 id="share-heading">Share</h2>
      {d.shareEnabled && d.shareToken ? (
        <>
          <p>Anyone with this link sees this dashboard's tiles, read only, without a key:</p>
          <pre class="json" data-copy>
            {link}
          </pre>
        </>
      ) : (
        <p>Not shared. Turning sharing on makes a secret link you can turn off or replace at any time.</p>
      )}
      <form method="post" action={appUrl(c, `${base}/share`)} class="stack">
        <label class="check">
          <input type="checkbox" name="allow_embedding" value="yes" checked={Boolean(settings.allowEmbedding)} /> Allow
          other sites to show it in an iframe
        </label>
        <label class="check">
          <input type="checkbox" name="show_person_ids" value="yes" checked={Boolean(settings.showPersonIds)} /> Show
          person and distinct ids in event tiles
        </label>
        <div class="buttons">
          {d.shareEnabled ? (
            <>
              <button type="submit" name="action" value="settings" class="secondary">
                Save share settings
              </button>
              <button type="submit" name="action" value="rotate" class="secondary">
                Replace the link
              </button>
              <button type="submit" name="action" value="disable" class="danger">
                Stop sharing
              </button>
            </>
          ) : (
            <button type="submit" name="action" value="enable">
              Share by link
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

export async function dashboardPage(c: WebContext, error?: string, status: 200 | 400 = 200) {
  const ctx = await webResultContext(c);
  const id = idOf(c.req.param('dashboard_id'));
  const dashboard = id ? await getDashboard(ctx.db, ctx.project.id, id) : undefined;
  if (!dashboard) return notFoundPage(c, 'No such dashboard.');
  const refresh = c.req.query('refresh') === '1';
  const view = await dashboardView(ctx, dashboard, refresh ? 'force_blocking' : 'force_cache');
  const { rows: saved } = await listInsights(ctx.db, ctx.project.id, { order: '-last_modified_at' }, 100, 0);
  const onIt = new Set(view.tiles.flatMap((t) => (t.insight ? [t.insight.id] : [])));
  const base = dashboardPath(ctx.project.id, dashboard.id);
  const filters = dashboard.filters as { date_from?: string; date_to?: string; properties?: Record<string, unknown>[] };
  const property = filters.properties?.[0] as
    | { key?: string; operator?: string; value?: unknown; type?: string }
    | undefined;
  const actions = {
    insightUrl: (insightId: number) => appUrl(c, `/projects/${ctx.project.id}/insights/saved/${insightId}`),
    changeUrl: (tileId: number) => appUrl(c, `${base}/tiles/${tileId}/change`),
    removeUrl: (tileId: number) => appUrl(c, `${base}/tiles/${tileId}/remove`),
    actorsHref: (tileId: number) => numberHref(appUrl(c, tileActorsPath(ctx.project.id, dashboard.id, tileId))),
  };
  return render(
    c,
    <Layout c={c} title={dashboard.name} project={ctx.project} section="dashboards" {...pageAssets('dashboard')}>
      <h1>{dashboard.name}</h1>
      {dashboard.description && <p>{dashboard.description}</p>}
      {error && <Flash kind="error">{error}</Flash>}
      <div class="dashboard-bar">
        <p>
          Last refreshed <Time at={view.last_refresh} />
          {filterSummary(filters) && <span class="muted"> · {filterSummary(filters)}</span>}
        </p>
        <a class="button" href={appUrl(c, base, { refresh: 1 })}>
          Refresh
        </a>
      </div>
      <details class="dashboard-filters" open={Boolean(filterSummary(filters))}>
        <summary>Filters for every tile</summary>
        <form method="post" action={appUrl(c, `${base}/filters`)} class="inline">
          <label>
            From
            <select name="date_from">
              <option value="">Each insight's own range</option>
              {DATE_FROMS.map(([v, label]) => (
                <option value={v} selected={filters.date_from === v}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            To <input type="date" name="date_to" value={filters.date_to ?? ''} />
          </label>
          <label>
            Property <input name="property_key" value={property?.key ?? ''} placeholder="$browser" />
          </label>
          <label>
            Of
            <select name="property_type">
              <option value="event">the event</option>
              <option value="person" selected={property?.type === 'person'}>
                the person
              </option>
            </select>
          </label>
          <label>
            Operator
            <select name="property_operator">
              {FILTER_OPERATORS.map(([op, label]) => (
                <option value={op} selected={property?.operator === op}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Value <input name="property_value" value={property?.value === undefined ? '' : String(property.value)} />
          </label>
          <button type="submit">Apply to every tile</button>
        </form>
      </details>
      <TileGrid tiles={view.tiles} actions={actions} showPersonIds={true} />
      <section class="add-tiles">
        <h2>Add a tile</h2>
        <form method="post" action={appUrl(c, `${base}/tiles`)} class="inline">
          <label>
            Saved insight
            <select name="insight_id">
              {saved
                .filter((i) => !onIt.has(i.id))
                .map((i) => (
                  <option value={String(i.id)}>{i.name || `Untitled (${i.shortId})`}</option>
                ))}
            </select>
          </label>
          <button type="submit">Add insight</button>
        </form>
        <form method="post" action={appUrl(c, `${base}/text`)} class="stack">
          <label>
            Text (shown as plain text) <textarea name="body" maxlength={4000} rows={3} required />
          </label>
          <button type="submit" class="secondary">
            Add text
          </button>
        </form>
      </section>
      <ShareSection c={c} d={dashboard} base={base} />
      <form method="post" action={appUrl(c, `${base}/delete`)} class="danger-zone">
        <button type="submit" class="danger">
          Delete dashboard
        </button>
      </form>
    </Layout>,
    status,
  );
}
