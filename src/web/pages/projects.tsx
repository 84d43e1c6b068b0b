import { forgetCachedProject, PROJECT_CACHE_TTL_MS } from '../../projects/cache';
import { COOKIELESS_MODES, CreateProjectBody, settingsOfBody, UpdateProjectBody } from '../../schemas/projects';
import { dbOf } from '../../db/client';
import { listProjects, updateProjectSettings, type Project } from '../../db/projects';
import { createPlacedProject } from '../../db/shards';
import { projectStorage, type ProjectStorage } from '../../db/storage';
import { Flash, Layout, ListTable, Time } from '../ui';
import { appUrl, type WebContext } from '../context';
import { issuesText } from '../issues';
import { pageAssets } from '../page-assets';
import { render } from '../render';
import { FirstEventWaiting } from './first-event';
import { apiHostOf, SdkSnippets } from './snippets';

export async function projectsPage(c: WebContext, error?: string, status: 200 | 400 = 200) {
  const projects = await listProjects(dbOf(c.env.DB));
  return render(
    c,
    <Layout c={c} title="Projects">
      <h1>Projects</h1>
      {error && <Flash kind="error">{error}</Flash>}
      <ListTable
        columns={['Name', 'Id', 'Token', 'Created']}
        items={projects}
        empty={<p>No projects yet: create one below.</p>}
        row={(p) => (
          <tr>
            <td>
              <a href={appUrl(c, `/projects/${p.id}/persons`)}>{p.name}</a>
            </td>
            <td>{p.id}</td>
            <td>
              <code class="token">{p.apiToken}</code>
            </td>
            <td>
              <Time at={p.createdAt} />
            </td>
          </tr>
        )}
      />
      <h2>New project</h2>
      <form method="post" action={appUrl(c, '/projects')} class="inline">
        <label>
          Name <input name="name" required maxlength={200} />
        </label>
        <button type="submit">Create project</button>
      </form>
    </Layout>,
    status,
  );
}

export async function createProjectAction(c: WebContext) {
  const form = await c.req.parseBody();
  const parsed = CreateProjectBody.safeParse({ name: form.name });
  if (!parsed.success) return projectsPage(c, issuesText(parsed.error, 'value'), 400);
  const project = await createPlacedProject(c.env, parsed.data.name);
  return c.redirect(appUrl(c, `/projects/${project.id}`), 303);
}

const count = (n: number) => n.toLocaleString('en-US');

/** Bytes in the largest unit that keeps three digits or fewer (SI units, as D1 states its limits). */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A share small enough to round to zero is said to be under 0.01%. */
const percentText = (p: number) => (p > 0 && p < 0.01 ? '< 0.01%' : `${p.toFixed(p < 1 ? 2 : 1)}%`);

/** What the project stores (GET /api/projects/:id/'s `storage`). */
function StorageFigures({ storage }: { storage: ProjectStorage }) {
  const shard = storage.shard;
  return (
    <dl class="figures">
      <div>
        <dt>Events</dt>
        <dd data-figure="events">{count(storage.events)}</dd>
      </div>
      <div>
        <dt>Persons</dt>
        <dd data-figure="persons">{count(storage.persons)}</dd>
      </div>
      <div>
        <dt>Storage used</dt>
        <dd data-figure="bytes" title={`${count(storage.bytes)} bytes of rows, without indexes`}>
          {formatBytes(storage.bytes)}
        </dd>
      </div>
      <div>
        <dt>{`Shard ${shard.shard}`}</dt>
        <dd title={`${count(shard.bytes)} of ${count(shard.limitBytes)} bytes`}>
          {`${percentText(shard.fill * 100)} of ${formatBytes(shard.limitBytes)}`}
        </dd>
      </div>
    </dl>
  );
}

export async function projectPage(
  c: WebContext,
  flash?: { kind: 'ok' | 'error'; text: string },
  status: 200 | 400 = 200,
) {
  const project = c.get('project');
  const apiHost = apiHostOf(c);
  const storage = await projectStorage(c.env, project.id);
  const empty = storage.events === 0;
  flash ??= c.req.query('saved')
    ? { kind: 'ok', text: `Settings saved. Capture uses them within ${PROJECT_CACHE_TTL_MS / 1000} seconds.` }
    : undefined;
  return render(
    c,
    <Layout
      c={c}
      title={project.name}
      project={project}
      section="settings"
      {...pageAssets(empty && 'empty project (project, events, insights)')}
    >
      <h1>{project.name}</h1>
      {flash && <Flash kind={flash.kind}>{flash.text}</Flash>}
      <section>
        <h2>Stored</h2>
        <StorageFigures storage={storage} />
        {empty && <FirstEventWaiting c={c} />}
      </section>
      <section>
        <h2>Project token</h2>
        <p>
          <code class="token" data-copy>
            {project.apiToken}
          </code>
        </p>
        <p class="muted">
          Project id {project.id}. Events go to <code>{apiHost}</code>.
        </p>
      </section>
      <section>
        <h2>Send events</h2>
        <SdkSnippets c={c} token={project.apiToken} />
      </section>
      <section>
        <h2>Settings</h2>
        <SettingsForm c={c} project={project} />
      </section>
    </Layout>,
    status,
  );
}

function SettingsForm({ c, project }: { c: WebContext; project: Project }) {
  return (
    <form method="post" action={appUrl(c, `/projects/${project.id}/settings`)} class="stack settings">
      <label>
        Name <input name="name" value={project.name} required maxlength={200} />
      </label>
      <label>
        Time zone <input name="timezone" value={project.timezone} required placeholder="Europe/Berlin" />
      </label>
      <label class="check">
        <input type="checkbox" name="anonymize_ips" value="on" checked={project.anonymizeIps} />
        {' Anonymize IPs (drop '}
        <code>$ip</code>, no GeoIP)
      </label>
      <label>
        Drop events older than (seconds, empty keeps all)
        <input
          name="drop_events_older_than_seconds"
          inputmode="numeric"
          value={project.dropEventsOlderThanSeconds?.toString() ?? ''}
        />
      </label>
      <label>
        Cookieless server hash mode
        <select name="cookieless_server_hash_mode">
          {COOKIELESS_MODES.map((m) => (
            <option value={m} selected={project.cookielessServerHashMode === m}>
              {m}
            </option>
          ))}
        </select>
      </label>
      <label>
        Event retention (days, empty keeps everything)
        <input name="event_retention_days" inputmode="numeric" value={project.eventRetentionDays?.toString() ?? ''} />
      </label>
      <button type="submit">Save settings</button>
    </form>
  );
}

const optionalNumber = (v: unknown) => (typeof v !== 'string' || v.trim() === '' ? null : Number(v.trim()));

export async function updateProjectAction(c: WebContext) {
  const project = c.get('project');
  const form = await c.req.parseBody();
  // The same validation as `PATCH /api/projects/:id/`.
  const parsed = UpdateProjectBody.safeParse({
    name: form.name,
    timezone: form.timezone,
    anonymize_ips: form.anonymize_ips === 'on',
    drop_events_older_than_seconds: optionalNumber(form.drop_events_older_than_seconds),
    cookieless_server_hash_mode: form.cookieless_server_hash_mode,
    event_retention_days: optionalNumber(form.event_retention_days),
  });
  if (!parsed.success) return projectPage(c, { kind: 'error', text: issuesText(parsed.error, 'value') }, 400);
  const body = parsed.data;
  const updated = await updateProjectSettings(dbOf(c.env.DB), project.id, settingsOfBody(body));
  if (!updated) return c.redirect(appUrl(c, '/projects'), 303);
  forgetCachedProject(project.id);
  return c.redirect(appUrl(c, `/projects/${project.id}`, { saved: 1 }), 303);
}
