import { z } from 'zod';
import { cursorParam, encodeCursor } from '../../api/pagination';

import { listEvents } from '../../db/event-reads';
import { findGroup, listGroups, type PersonGroup } from '../../db/group-reads';
import { projectDb } from '../../db/shards';
import { MAX_GROUP_NAME_CHARS, MAX_GROUP_TYPES } from '../../groups/rules';
import { listGroupTypes, type GroupTypeRow } from '../../groups/type-mapping';
import { Layout, ListTable, Pager, PropertyTable, Time } from '../ui';
import { appUrl, type WebContext } from '../context';
import { notFoundPage, render } from '../render';
import { EventsSection, eventsPosition } from './events';

const GROUPS_PAGE_SIZE = 100;
const GROUP_EVENTS_PAGE_SIZE = 50;

const GroupsQuery = z.object({
  type: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_GROUP_TYPES - 1)
    .optional(),
  q: z.string().max(400).optional(),
  cursor: cursorParam(z.tuple([z.string(), z.string()])),
});

const GroupParams = z.object({
  index: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_GROUP_TYPES - 1),
  key: z.string().min(1).max(MAX_GROUP_NAME_CHARS),
});

/** How a group type is called on the pages: its plural display name, else its type. */
const pluralOf = (t: GroupTypeRow) => t.namePlural || t.groupType;

const groupPath = (projectId: number, index: number, key: string) =>
  `/projects/${projectId}/groups/${index}/${encodeURIComponent(key)}`;

/** The group's name property when it has one. */
const groupName = (properties: Record<string, unknown> | null | undefined) =>
  typeof properties?.name === 'string' && properties.name.trim() !== '' ? properties.name : undefined;

export async function groupsPage(c: WebContext) {
  const project = c.get('project');
  const parsed = GroupsQuery.safeParse(c.req.query());
  const q = parsed.success ? parsed.data : {};
  const db = await projectDb(c.env, project.id);
  const types = await listGroupTypes(db, project.id);
  const current = types.find((t) => t.groupTypeIndex === (q.type ?? types[0]?.groupTypeIndex));
  const cursor = q.cursor ? { createdAt: q.cursor[0], groupKey: q.cursor[1] } : undefined;
  const rows = current
    ? await listGroups(
        db,
        project.id,
        { groupTypeIndex: current.groupTypeIndex, search: q.q || undefined, cursor },
        GROUPS_PAGE_SIZE + 1,
      )
    : [];
  const page = rows.slice(0, GROUPS_PAGE_SIZE);
  const last = page.at(-1);
  const path = `/projects/${project.id}/groups`;
  return render(
    c,
    <Layout c={c} title="Groups" project={project} section="groups">
      <h1>Groups</h1>
      {types.length === 0 ? (
        <p class="empty">
          No group types yet. Call{' '}
          <code>
            posthog.group('company', 'id', {'{'} name: 'Acme' {'}'})
          </code>{' '}
          (posthog-js) or <code>groupIdentify</code> (posthog-node) and they appear here.
        </p>
      ) : (
        <>
          <nav class="tabs" aria-label="Group types">
            {types.map((t) => (
              <a
                href={appUrl(c, path, { type: t.groupTypeIndex })}
                aria-current={t.groupTypeIndex === current?.groupTypeIndex ? 'page' : undefined}
              >
                {pluralOf(t)}
              </a>
            ))}
          </nav>
          <form method="get" action={appUrl(c, path)} class="filters" role="search">
            <input type="hidden" name="type" value={String(current?.groupTypeIndex ?? 0)} />
            <label>
              Key or property text
              <input type="search" name="q" value={q.q ?? ''} placeholder="acme" />
            </label>
            <button type="submit">Search</button>
          </form>
          <ListTable
            name="groups"
            columns={['Key', 'Name', 'Created']}
            items={page}
            empty={<p class="empty">No groups match.</p>}
            row={(g) => (
              <tr>
                <td>
                  <a href={appUrl(c, groupPath(project.id, g.groupTypeIndex, g.groupKey))} class="id">
                    {g.groupKey}
                  </a>
                </td>
                <td>{groupName(g.properties) ?? <span class="muted">—</span>}</td>
                <td>
                  <Time at={g.createdAt} />
                </td>
              </tr>
            )}
          />
          <Pager
            previous={cursor ? appUrl(c, path, { type: current?.groupTypeIndex, q: q.q }) : null}
            next={
              rows.length > GROUPS_PAGE_SIZE && last
                ? appUrl(c, path, {
                    type: current?.groupTypeIndex,
                    q: q.q,
                    cursor: encodeCursor([last.createdAt, last.groupKey]),
                  })
                : null
            }
          />
        </>
      )}
    </Layout>,
  );
}

/** A group: its properties and the events of its members (events that carried it). */
export async function groupPage(c: WebContext) {
  const project = c.get('project');
  const params = GroupParams.safeParse({ index: c.req.param('index'), key: c.req.param('key') });
  if (!params.success) return notFoundPage(c, 'No such group.');
  const { index, key } = params.data;
  const db = await projectDb(c.env, project.id);
  const position = eventsPosition(c);
  const [types, group, events] = await Promise.all([
    listGroupTypes(db, project.id),
    findGroup(db, project.id, index, key),
    listEvents(db, project.id, { group: { index, key }, cursor: position }, GROUP_EVENTS_PAGE_SIZE + 1),
  ]);
  const type = types.find((t) => t.groupTypeIndex === index);
  if (!type || (!group && events.length === 0 && !position)) return notFoundPage(c, 'No such group.');
  const path = groupPath(project.id, index, key);
  const title = groupName(group?.properties) ?? key;
  return render(
    c,
    <Layout c={c} title={title} project={project} section="groups">
      <p class="meta">
        <a href={appUrl(c, `/projects/${project.id}/groups`, { type: index })}>{pluralOf(type)}</a>
      </p>
      <h1 class="id">{title}</h1>
      <p class="meta">
        <span class="badge">{type.nameSingular || type.groupType}</span> key <code>{key}</code>
        {group && (
          <>
            {' '}
            · created <Time at={group.createdAt} />
          </>
        )}
      </p>
      <section>
        <h2>Properties</h2>
        {!group ? (
          <p class="muted">Events carry this group, but no $groupidentify has set its properties yet.</p>
        ) : Object.keys(group.properties).length === 0 ? (
          <p class="muted">No properties.</p>
        ) : (
          <PropertyTable properties={group.properties} caption="Group properties" />
        )}
      </section>
      <section>
        <h2>Members’ events</h2>
        <EventsSection
          c={c}
          projectId={project.id}
          path={path}
          position={position}
          events={events}
          pageSize={GROUP_EVENTS_PAGE_SIZE}
        />
      </section>
    </Layout>,
  );
}

/** The person page's list of the groups their recent events belong to. */
export function PersonGroups({ c, projectId, groups }: { c: WebContext; projectId: number; groups: PersonGroup[] }) {
  if (groups.length === 0) return <p class="muted">No groups in the person’s recent events.</p>;
  return (
    <ul class="ids">
      {groups.map((g) => (
        <li>
          <span class="badge">{g.nameSingular || g.groupType || `group ${g.groupTypeIndex}`}</span>{' '}
          <a href={appUrl(c, groupPath(projectId, g.groupTypeIndex, g.groupKey))} class="id">
            {groupName(g.properties) ?? g.groupKey}
          </a>{' '}
          <span class="muted">
            last seen <Time at={g.lastSeen} />
          </span>
        </li>
      ))}
    </ul>
  );
}
