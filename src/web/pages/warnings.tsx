import { z } from 'zod';
import { cursorParam, encodeCursor } from '../../api/pagination';

import { personIdsOfDistinctIds } from '../../db/person-reads';
import { projectDb } from '../../db/shards';
import { listWarnings, warningTypeCounts } from '../../db/warning-reads';
import { JsonText, Layout, ListTable, Pager, Time } from '../ui';
import { appUrl, type WebContext } from '../context';
import { render } from '../render';

const PAGE_SIZE = 100;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const WarningsQuery = z.object({
  type: z.string().max(200).optional(),
  from: z.string().regex(DAY).optional().or(z.literal('')),
  to: z.string().regex(DAY).optional().or(z.literal('')),
  cursor: cursorParam(z.tuple([z.string(), z.number().int()])),
});

/** Detail keys that name distinct ids: shown as links to the persons holding them. */
const DISTINCT_ID_KEYS = /distinctid$/i;

export async function warningsPage(c: WebContext) {
  const project = c.get('project');
  const parsed = WarningsQuery.safeParse(c.req.query());
  const q = parsed.success ? parsed.data : {};
  const db = await projectDb(c.env, project.id);
  const cursor = q.cursor ? { timestamp: q.cursor[0], id: q.cursor[1] } : undefined;
  const filter = {
    type: q.type || undefined,
    after: q.from ? new Date(Date.parse(q.from) - 1).toISOString() : undefined,
    before: q.to ? new Date(Date.parse(q.to) + 86_400_000).toISOString() : undefined,
    cursor,
  };
  const [rows, types] = await Promise.all([
    listWarnings(db, project.id, filter, PAGE_SIZE + 1),
    warningTypeCounts(db, project.id),
  ]);
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  const named = page.flatMap((w) =>
    Object.entries(w.details).flatMap(([k, v]) => (DISTINCT_ID_KEYS.test(k) && typeof v === 'string' ? [v] : [])),
  );
  const personOf = await personIdsOfDistinctIds(db, project.id, [...new Set(named)]);
  const personHref = (distinctId: string) => {
    const personId = personOf.get(distinctId);
    return personId
      ? appUrl(c, `/projects/${project.id}/persons/${personId}`)
      : appUrl(c, `/projects/${project.id}/persons`, { q: distinctId });
  };
  const path = `/projects/${project.id}/warnings`;
  const query = { type: q.type, from: q.from, to: q.to };
  return render(
    c,
    <Layout c={c} title="Ingestion warnings" project={project} section="warnings">
      <h1>Ingestion warnings</h1>
      <form method="get" action={appUrl(c, path)} class="filters">
        <label>
          Type
          <select name="type">
            <option value="">All types</option>
            {types.map((t) => (
              <option value={t.type} selected={t.type === q.type}>
                {`${t.type} (${t.count})`}
              </option>
            ))}
          </select>
        </label>
        <label>
          From <input type="date" name="from" value={q.from ?? ''} />
        </label>
        <label>
          To <input type="date" name="to" value={q.to ?? ''} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <ListTable
        name="warnings"
        columns={['Type', 'When', 'Details', 'Event']}
        items={page}
        empty={<p class="empty">No warnings.</p>}
        row={(w) => (
          <tr>
            <td>
              <code>{w.type}</code>
            </td>
            <td>
              <Time at={w.timestamp} />
            </td>
            <td>
              <dl class="details">
                {Object.entries(w.details)
                  .filter(([k]) => k !== 'eventUuid')
                  .map(([k, v]) => (
                    <>
                      <dt>{k}</dt>
                      <dd>
                        {DISTINCT_ID_KEYS.test(k) && typeof v === 'string' ? (
                          <a href={personHref(v)} class="id">
                            {v}
                          </a>
                        ) : (
                          <JsonText value={v} />
                        )}
                      </dd>
                    </>
                  ))}
              </dl>
            </td>
            <td>
              {w.eventUuid ? (
                <a href={appUrl(c, `/projects/${project.id}/events/${w.eventUuid}`)}>event</a>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
          </tr>
        )}
      />
      <Pager
        previous={cursor ? appUrl(c, path, query) : null}
        next={
          rows.length > PAGE_SIZE && last
            ? appUrl(c, path, { ...query, cursor: encodeCursor([last.timestamp, last.id]) })
            : null
        }
      />
    </Layout>,
  );
}
