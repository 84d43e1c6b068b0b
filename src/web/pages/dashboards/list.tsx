/** The dashboards of a project, and the form that creates one. */
import { z } from 'zod';
import { createDashboard, listDashboards } from '../../../dashboards/dashboard-store';
import { appUrl, type WebContext } from '../../context';
import { issuesText } from '../../issues';
import { render } from '../../render';
import { Flash, Layout, ListTable, Time, SearchForm } from '../../ui';
import { webResultContext } from './web-results';

const PAGE = 100;
const CreateForm = z.object({
  name: z.string().trim().min(1, 'a name is required').max(400),
  description: z.string().max(4000).default(''),
});

export async function dashboardsPage(c: WebContext, error?: string, status: 200 | 400 = 200) {
  const ctx = await webResultContext(c);
  const search = (c.req.query('search') ?? '').slice(0, 200);
  const { rows, count } = await listDashboards(ctx.db, ctx.project.id, { search: search || undefined }, PAGE, 0);
  const base = `/projects/${ctx.project.id}/dashboards`;
  return render(
    c,
    <Layout c={c} title="Dashboards" project={ctx.project} section="dashboards" styles={['dashboards.css']}>
      <h1>Dashboards</h1>
      {error && <Flash kind="error">{error}</Flash>}
      <SearchForm action={appUrl(c, base)} label="Search dashboards" search={search} />
      <ListTable
        name="dashboards"
        columns={['Name', 'Description', 'Shared', 'Created']}
        items={rows}
        total={count}
        empty={<p class="empty">{search ? 'No dashboard matches.' : 'No dashboards yet: create one below.'}</p>}
        row={(d) => (
          <tr>
            <td>
              <a href={appUrl(c, `${base}/${d.id}`)}>{d.name}</a>
            </td>
            <td>{d.description}</td>
            <td>{d.shareEnabled ? 'Shared by link' : '—'}</td>
            <td>
              <Time at={d.createdAt} />
            </td>
          </tr>
        )}
      />
      <h2>New dashboard</h2>
      <form method="post" action={appUrl(c, base)} class="stack">
        <label>
          Name <input name="name" required maxlength={400} />
        </label>
        <label>
          Description <input name="description" maxlength={4000} />
        </label>
        <button type="submit">Create dashboard</button>
      </form>
    </Layout>,
    status,
  );
}

export async function createDashboardAction(c: WebContext) {
  const parsed = CreateForm.safeParse(await c.req.parseBody());
  if (!parsed.success) return dashboardsPage(c, issuesText(parsed.error, 'form'), 400);
  const ctx = await webResultContext(c);
  const row = await createDashboard(ctx.db, ctx.project.id, parsed.data);
  return c.redirect(appUrl(c, `/projects/${ctx.project.id}/dashboards/${row.id}`), 303);
}
