/** A person's page (ids, properties, groups, merge history, events) and its split and delete actions. */
import { eventTimestamps, listEvents } from '../../db/event-reads';
import { groupsOfPerson } from '../../db/group-reads';
import { survivorOf } from '../../db/merge-reads';
import { getPerson, personHistory } from '../../db/person-reads';
import { projectDb } from '../../db/shards';
import { mergeWarningsOf } from '../../db/warning-reads';
import { UUID } from '../../schemas/uuid';
import { deletePerson, splitPerson } from '../../persons/admin';
import { appUrl, type WebContext } from '../context';
import { displayName, identifiedDistinctId, mainDistinctId } from '../person-names';
import { notFoundPage, render } from '../render';
import { Flash, Layout, Time } from '../ui';
import { EventsSection, eventsPosition } from './events';
import { PersonGroups } from './groups';
import { PersonProperties } from './person-properties';
import { MergeTimeline, timelineOf } from './merge-timeline';

const PERSON_EVENTS_PAGE_SIZE = 50;

export async function personPage(c: WebContext) {
  const project = c.get('project');
  const uuid = c.req.param('uuid') ?? '';
  if (!UUID.test(uuid)) return notFoundPage(c, 'No such person.');
  const personId = uuid.toLowerCase();
  const db = await projectDb(c.env, project.id);
  const person = await getPerson(db, project.id, personId);
  if (!person) {
    // A merged-away person's link leads on to the person it was merged into.
    const survivor = await survivorOf(db, project.id, personId);
    if (survivor)
      return c.redirect(appUrl(c, `/projects/${project.id}/persons/${survivor.personId}`, { merged_from: personId }));
    return notFoundPage(c, 'No such person: it was deleted, or never existed in this project.');
  }
  const position = eventsPosition(c);
  const [history, refused, events, groups] = await Promise.all([
    personHistory(db, project.id, personId),
    mergeWarningsOf(db, project.id, person.distinctIds),
    listEvents(db, project.id, { personId, cursor: position }, PERSON_EVENTS_PAGE_SIZE + 1),
    groupsOfPerson(db, project.id, personId),
  ]);
  const eventTimes = await eventTimestamps(
    db,
    project.id,
    history.flatMap((h) => (h.eventUuid ? [h.eventUuid] : [])),
  );
  const path = `/projects/${project.id}/persons/${personId}`;
  const name = displayName(person.properties);
  const main = mainDistinctId(person.distinctIds);
  // A split keeps the id the person signed in as, by default.
  const kept = identifiedDistinctId(history, person.id, person.distinctIds);
  const mergedFrom = c.req.query('merged_from');
  const mergedNote =
    mergedFrom && UUID.test(mergedFrom)
      ? `Person ${mergedFrom.toLowerCase()} was merged into this person; its link leads here.`
      : undefined;
  const flash = c.req.query('split')
    ? 'Split done: every other distinct id now has a person of its own (see the history below).'
    : undefined;
  return render(
    c,
    <Layout c={c} title={name ?? main ?? 'Person'} project={project} section="persons">
      <h1 class="id">{name ?? main ?? person.id}</h1>
      {flash && <Flash>{flash}</Flash>}
      {mergedNote && <Flash>{mergedNote}</Flash>}
      <p class="meta">
        <span class={person.isIdentified ? 'badge ok' : 'badge'}>
          {person.isIdentified ? 'identified' : 'anonymous'}
        </span>{' '}
        person <code>{person.id}</code> · created <Time at={person.createdAt} />
      </p>
      <div class="columns">
        <section>
          <h2>Distinct ids ({person.distinctIds.length})</h2>
          <ul class="ids">
            {person.distinctIds.map((d) => (
              <li>
                <a href={appUrl(c, `/projects/${project.id}/events`, { distinct_id: d })} class="id">
                  {d}
                </a>
              </li>
            ))}
          </ul>
          <h2>Properties</h2>
          <PersonProperties c={c} path={path} properties={person.properties} writes={person.propertyWrites} />
          <h2>Groups</h2>
          <PersonGroups c={c} projectId={project.id} groups={groups} />
        </section>
        <section>
          <h2>History</h2>
          <MergeTimeline
            c={c}
            projectId={project.id}
            person={person}
            entries={timelineOf(person, history, refused, eventTimes)}
          />
        </section>
      </div>
      <section>
        <h2>Events</h2>
        <EventsSection
          c={c}
          projectId={project.id}
          path={path}
          position={position}
          events={events}
          pageSize={PERSON_EVENTS_PAGE_SIZE}
        />
      </section>
      <section class="danger">
        <h2>Split or delete</h2>
        {person.distinctIds.length > 1 && (
          <form method="post" action={appUrl(c, `${path}/split`)} class="stack">
            <p>
              Splitting keeps one distinct id on this person and gives every other one a new person of its own. Past
              merges are not undone for events already counted elsewhere.
            </p>
            <label>
              Keep on this person
              <select name="main_distinct_id">
                {person.distinctIds.map((d) => (
                  <option value={d} selected={d === kept}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label class="check">
              <input type="checkbox" name="confirm" value="yes" required /> Yes, split this person into{' '}
              {person.distinctIds.length} persons
            </label>
            <button type="submit" class="warn">
              Split person
            </button>
          </form>
        )}
        <form method="post" action={appUrl(c, `${path}/delete`)} class="stack">
          <label class="check">
            <input type="checkbox" name="delete_events" value="yes" /> Also delete the events of its distinct ids
          </label>
          <label class="check">
            <input type="checkbox" name="confirm" value="yes" required /> Yes, delete this person and its distinct ids
          </label>
          <button type="submit" class="danger">
            Delete person
          </button>
        </form>
      </section>
    </Layout>,
  );
}

async function personAction(c: WebContext, act: (personId: string, form: Record<string, unknown>) => Promise<string>) {
  const project = c.get('project');
  const uuid = c.req.param('uuid') ?? '';
  if (!UUID.test(uuid)) return notFoundPage(c, 'No such person.');
  const form = (await c.req.parseBody()) as Record<string, unknown>;
  const personPath = `/projects/${project.id}/persons/${uuid.toLowerCase()}`;
  if (form.confirm !== 'yes') return c.redirect(appUrl(c, personPath), 303);
  const outcome = await act(uuid.toLowerCase(), form);
  if (outcome === 'person_not_found') return notFoundPage(c, 'No such person.');
  if (outcome === 'busy' || outcome === 'unknown_main_distinct_id') {
    const text =
      outcome === 'busy'
        ? 'The person is being changed by ingestion right now; try again.'
        : 'That distinct id is no longer this person’s.';
    return render(
      c,
      <Layout c={c} title="Not done" project={project} section="persons">
        <Flash kind="error">{text}</Flash>
        <p>
          <a href={appUrl(c, personPath)}>Back to the person</a>
        </p>
      </Layout>,
      409,
    );
  }
  return undefined;
}

export async function splitPersonAction(c: WebContext) {
  const project = c.get('project');
  const db = await projectDb(c.env, project.id);
  let personId = '';
  const failed = await personAction(c, (id, form) => {
    personId = id;
    const main =
      typeof form.main_distinct_id === 'string' && form.main_distinct_id !== '' ? form.main_distinct_id : undefined;
    return splitPerson(db, project.id, id, main);
  });
  return failed ?? c.redirect(appUrl(c, `/projects/${project.id}/persons/${personId}`, { split: 1 }), 303);
}

export async function deletePersonAction(c: WebContext) {
  const project = c.get('project');
  const db = await projectDb(c.env, project.id);
  const failed = await personAction(c, (id, form) =>
    deletePerson(db, project.id, id, { deleteEvents: form.delete_events === 'yes' }),
  );
  return failed ?? c.redirect(appUrl(c, `/projects/${project.id}/persons`, { deleted: 1 }), 303);
}
