/** The insights page's "save" form: a new saved insight, or the new query of the one being edited (`saved`). */
import { getInsight, type InsightRow } from '../../../dashboards/insight-store';
import { appUrl, type WebContext } from '../../context';
import { idOf, webResultContext } from '../dashboards/web-results';

/** The saved insight named by `?saved=`, when it exists. */
export async function insightBeingEdited(c: WebContext): Promise<InsightRow | undefined> {
  const id = idOf(c.req.query('saved'));
  if (!id) return undefined;
  const ctx = await webResultContext(c);
  return getInsight(ctx.db, ctx.project.id, id);
}

export function SaveInsightForm({ c, editing }: { c: WebContext; editing?: InsightRow }) {
  const project = c.get('project');
  const search = new URL(c.req.url).searchParams;
  search.delete('saved');
  const action = editing
    ? `/projects/${project.id}/insights/saved/${editing.id}`
    : `/projects/${project.id}/insights/saved`;
  return (
    <form method="post" action={appUrl(c, action)} class="save-insight inline" aria-label="Save insight">
      <input type="hidden" name="params" value={search.toString()} />
      <label>
        Name <input name="name" required maxlength={400} value={editing?.name ?? ''} />
      </label>
      <label>
        Description <input name="description" maxlength={4000} value={editing?.description ?? ''} />
      </label>
      <button type="submit">{editing ? 'Update saved insight' : 'Save insight'}</button>
      <a href={appUrl(c, `/projects/${project.id}/insights/saved`)}>Saved insights</a>
    </form>
  );
}
