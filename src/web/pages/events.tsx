import { z } from 'zod';
import { cursorParam, encodeCursor } from '../../api/pagination';

import { getEvent, type EventView } from '../../db/event-reads';
import { projectDb, projectReadDb } from '../../db/shards';
import { warningsOfEvent } from '../../db/warning-reads';
import { eventJson } from '../../schemas/events';
import { Flash, JsonText, Layout, Pager, PropertyTable, Time } from '../ui';
import { appUrl, type WebContext } from '../context';
import { type EventsFilter, type EventsFilterOutcome, eventsFilterOf, filteredEvents } from '../events-filter';
import { pageAssets } from '../page-assets';
import { type FilterFields, filterParams } from '../property-filter';
import { type ExampleValue, exampleValues } from '../property-values';
import { notFoundPage, render } from '../render';
import { loadTaxonomy, type NameCheck, propertyNameKind, type Taxonomy, unknownNames } from '../taxonomy';
import { FirstEventPanel, projectHasEvents } from './first-event';
import { Datalists, NameInput, PropertyFilterFields, UnknownNames } from './pickers';

const EVENTS_PAGE_SIZE = 50;

/** What an event's summary line shows beside its name and distinct id: URL, browser, library (as the live script). */
const SUMMARY_PROPERTIES = [
  ['$current_url', 'url'],
  ['$browser', 'browser'],
  ['$lib', 'lib'],
] as const;

/** One event in a list: a summary line, expandable to its properties. The live view's script builds the same markup. */
function EventListItem({ c, projectId, event }: { c: WebContext; projectId: number; event: EventView }) {
  return (
    <li class="event" data-uuid={event.uuid}>
      <details>
        <summary>
          <span class="name">{event.event}</span> <span class="id">{event.distinctId}</span>{' '}
          {SUMMARY_PROPERTIES.map(([key, cls]) => {
            const v = event.properties[key];
            return typeof v === 'string' && v !== '' ? <span class={cls}>{v}</span> : null;
          })}{' '}
          <Time at={event.timestamp} />
        </summary>
        <p class="links">
          <a href={appUrl(c, `/projects/${projectId}/events/${event.uuid}`)}>Event</a> ·{' '}
          <a href={appUrl(c, `/projects/${projectId}/persons/${event.personId}`)}>Person</a>
        </p>
        <PropertyTable properties={event.properties} />
      </details>
    </li>
  );
}

const EventsCursor = cursorParam(z.tuple([z.string(), z.string()]));

/** Where a person's or group's event list continues from: the `cursor` query parameter, if valid. */
export function eventsPosition(c: WebContext): { timestamp: string; uuid: string } | undefined {
  const cursor = EventsCursor.safeParse(c.req.query('cursor'));
  return cursor.success && cursor.data ? { timestamp: cursor.data[0], uuid: cursor.data[1] } : undefined;
}

/**
 * One page of a person's or group's events, newest first, with links to older ones. `events` holds up to `pageSize + 1`
 * rows: the extra one says there is a next page.
 */
export function EventsSection({
  c,
  projectId,
  path,
  position,
  events,
  pageSize,
}: {
  c: WebContext;
  projectId: number;
  path: string;
  position: unknown;
  events: EventView[];
  pageSize: number;
}) {
  const page = events.slice(0, pageSize);
  const last = page.at(-1);
  return (
    <>
      {page.length === 0 ? (
        <p class="empty">No events{position ? ' older than these' : ''}.</p>
      ) : (
        <ol class="events">
          {page.map((e) => (
            <EventListItem c={c} projectId={projectId} event={e} />
          ))}
        </ol>
      )}
      <Pager
        previous={position ? appUrl(c, path) : null}
        next={
          events.length > pageSize && last
            ? appUrl(c, path, { cursor: encodeCursor([last.timestamp, last.uuid]) })
            : null
        }
      />
    </>
  );
}

const eventsQueryOf = (filter: EventsFilter) => ({
  event: filter.event,
  distinct_id: filter.distinctId,
  person_id: filter.personId,
  ...filterParams(filter.property),
});

/** The names the filter was given that the project never received. */
function namesOf(filter: EventsFilter, fields: FilterFields): NameCheck[] {
  const checks: NameCheck[] = filter.event ? [{ kind: 'event', name: filter.event }] : [];
  if (fields.key) checks.push({ kind: propertyNameKind(fields.type), name: fields.key });
  return checks;
}

function EventsFilterForm({
  c,
  outcome,
  taxonomy,
  examples,
}: {
  c: WebContext;
  outcome: EventsFilterOutcome;
  taxonomy: Taxonomy;
  examples: ExampleValue[];
}) {
  const { filter, fields } = outcome;
  const project = c.get('project');
  return (
    <form method="get" action={appUrl(c, `/projects/${project.id}/events`)} class="filters" role="search">
      <Datalists taxonomy={taxonomy} />
      <label>
        Event <NameInput kind="event" name="event" value={filter.event ?? ''} placeholder="$pageview" label="Event" />
      </label>
      <PropertyFilterFields c={c} fields={fields} taxonomy={taxonomy} examples={examples} />
      <label>
        Distinct id <input name="distinct_id" value={filter.distinctId ?? ''} />
      </label>
      <label>
        Person id <input name="person_id" value={filter.personId ?? ''} placeholder="uuid" />
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}

export async function eventsPage(c: WebContext) {
  const project = c.get('project');
  const outcome = eventsFilterOf((name) => c.req.query(name));
  const { filter, fields } = outcome;
  const db = await projectReadDb(c.env, project.id);
  const [taxonomy, unknown, examples, listed] = await Promise.all([
    loadTaxonomy(db, project.id),
    unknownNames(db, project.id, namesOf(filter, fields)),
    fields.key ? exampleValues(c.env, project, fields.type, fields.key) : [],
    outcome.error
      ? { error: outcome.error, status: 400 as const }
      : filteredEvents(c.env, project, filter, EVENTS_PAGE_SIZE + 1),
  ]);
  const rows = 'events' in listed ? listed.events : [];
  const filtered = Object.values(eventsQueryOf(filter)).some(Boolean);
  const empty = rows.length === 0 && !filtered && !filter.cursor && !(await projectHasEvents(c.env, project.id));
  const page = rows.slice(0, EVENTS_PAGE_SIZE);
  const last = page.at(-1);
  const path = `/projects/${project.id}/events`;
  const query = eventsQueryOf(filter);
  const live = !filter.cursor && 'events' in listed;
  const assets = pageAssets('events', empty && 'empty project (project, events, insights)');
  return render(
    c,
    <Layout c={c} title="Events" project={project} section="events" {...assets}>
      <h1>Events</h1>
      <EventsFilterForm c={c} outcome={outcome} taxonomy={taxonomy} examples={examples} />
      {'error' in listed && <Flash kind="error">{listed.error}</Flash>}
      {!empty && <UnknownNames unknown={unknown} />}
      <p class="live-status muted" aria-live="polite" id="live-status">
        {live ? 'Live: new events appear at the top.' : filter.cursor ? 'Older events (not live).' : ''}
      </p>
      <ol
        class="events"
        id="event-list"
        data-live={live ? appUrl(c, `${path}.json`, query) : undefined}
        data-event-base={appUrl(c, path)}
        data-person-base={appUrl(c, `/projects/${project.id}/persons`)}
      >
        {page.map((e) => (
          <EventListItem c={c} projectId={project.id} event={e} />
        ))}
      </ol>
      {empty ? (
        <FirstEventPanel c={c} />
      ) : (
        page.length === 0 &&
        'events' in listed && (
          <p class="empty" id="no-events">
            {filtered ? 'No events match.' : 'No events yet.'}
          </p>
        )
      )}
      <Pager
        previous={filter.cursor ? appUrl(c, path, query) : null}
        next={
          rows.length > EVENTS_PAGE_SIZE && last
            ? appUrl(c, path, { ...query, cursor: encodeCursor([last.timestamp, last.uuid]) })
            : null
        }
      />
    </Layout>,
    'error' in listed ? listed.status : 200,
  );
}

/** The newest events of the filter, for the live view. */
export async function eventsJson(c: WebContext) {
  const project = c.get('project');
  const outcome = eventsFilterOf((name) => c.req.query(name));
  if (outcome.error) return c.json({ type: 'validation_error', detail: outcome.error }, 400);
  const listed = await filteredEvents(c.env, project, { ...outcome.filter, cursor: undefined }, EVENTS_PAGE_SIZE);
  if ('error' in listed) return c.json({ type: 'validation_error', detail: listed.error }, listed.status);
  return c.json({ results: listed.events.map(eventJson) });
}

export async function eventPage(c: WebContext) {
  const project = c.get('project');
  const uuid = c.req.param('uuid') ?? '';
  const db = await projectDb(c.env, project.id);
  const event = uuid.length <= 100 ? await getEvent(db, project.id, uuid) : undefined;
  if (!event) return notFoundPage(c, 'No such event (it may have been deleted, or not ingested yet).');
  const warnings = await warningsOfEvent(db, project.id, event.uuid);
  return render(
    c,
    <Layout c={c} title={event.event} project={project} section="events">
      <h1 class="id">{event.event}</h1>
      <p class="meta">
        <Time at={event.timestamp} /> · distinct id <span class="id">{event.distinctId}</span> ·{' '}
        <a href={appUrl(c, `/projects/${project.id}/persons/${event.personId}`)}>person</a> · uuid{' '}
        <code>{event.uuid}</code>
      </p>
      {warnings.length > 0 && (
        <section>
          <h2>Warnings this event raised</h2>
          <ul class="event-warnings">
            {warnings.map((w) => (
              <li>
                <a href={appUrl(c, `/projects/${project.id}/warnings`, { type: w.type })}>
                  <code>{w.type}</code>
                </a>{' '}
                <JsonText value={w.details} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <PropertyTable properties={event.properties} caption="Properties" />
    </Layout>,
  );
}
