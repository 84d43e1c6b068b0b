/**
 * The events page's filter (event name, distinct id, person, one property) and its rows, newest first by
 * (timestamp, uuid). Without a property filter the rows come from the REST API's events list; with one, from an
 * EventsQuery through the query engine, so the property compiles exactly as the query endpoint compiles it.
 */
import { z } from 'zod';
import { cursorParam } from '../api/pagination';
import { type EventView, listEvents } from '../db/event-reads';
import type { Project } from '../db/projects';
import { projectDb } from '../db/shards';
import type { Env } from '../env';
import { printString } from '../hogql/print';
import { UUID } from '../schemas/uuid';
import { issuesText } from './issues';
import { type FilterFields, propertyFilterOf, type QueryPropertyFilter } from './property-filter';
import { runInsight } from './run-insight';

const EventsParams = z.object({
  event: z.string().max(400).optional(),
  distinct_id: z.string().max(400).optional(),
  person_id: z.string().regex(UUID, 'expected a person uuid').optional(),
  cursor: cursorParam(z.tuple([z.string(), z.string()])),
});

interface EventCursor {
  timestamp: string;
  uuid: string;
}

export interface EventsFilter {
  event?: string;
  distinctId?: string;
  personId?: string;
  property?: QueryPropertyFilter;
  cursor?: EventCursor;
}

export interface EventsFilterOutcome {
  filter: EventsFilter;
  /** The property filter's fields as entered. */
  fields: FilterFields;
  /** What is wrong with the URL, naming the parameter (the page then lists nothing). */
  error?: string;
}

/** The filter of the page's URL (`one` reads a parameter). */
export function eventsFilterOf(one: (name: string) => string | undefined): EventsFilterOutcome {
  const names = ['event', 'distinct_id', 'person_id', 'cursor'];
  const raw = Object.fromEntries(names.map((n) => [n, one(n)]).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EventsParams.safeParse(raw);
  const property = propertyFilterOf(one);
  const q = parsed.success ? parsed.data : {};
  const filter: EventsFilter = {
    event: q.event,
    distinctId: q.distinct_id,
    personId: q.person_id?.toLowerCase(),
    property: 'filter' in property ? property.filter : undefined,
    cursor: q.cursor ? { timestamp: q.cursor[0], uuid: q.cursor[1] } : undefined,
  };
  const errors = [
    parsed.success ? undefined : issuesText(parsed.error, 'query'),
    'error' in property && property.error,
  ];
  const error = errors.filter(Boolean).join('; ') || undefined;
  return { filter, fields: property.fields, error };
}

/** An EventsQuery's `*` column as the events list's row (timestamps back in the stored UTC form). */
function eventOfRow(row: unknown[]): EventView {
  const e = row[0] as Record<string, unknown>;
  return {
    uuid: String(e.uuid),
    event: String(e.event),
    distinctId: String(e.distinct_id),
    properties: e.properties as Record<string, unknown>,
    timestamp: new Date(String(e.timestamp)).toISOString(),
    personId: String(e.person_id),
  };
}

const isOlder = (e: EventView, cursor: EventCursor) =>
  e.timestamp < cursor.timestamp || (e.timestamp === cursor.timestamp && e.uuid < cursor.uuid);

/**
 * Up to `limit` events of a property filter, through the query engine. A cursor becomes `before` just past its time
 * (`before` is exclusive and to the millisecond), and the rows it already showed at that time are dropped.
 */
async function eventsByQuery(env: Env, project: Project, filter: EventsFilter, limit: number) {
  const query = {
    kind: 'EventsQuery',
    select: ['*'],
    after: 'all',
    orderBy: ['timestamp DESC'],
    ...(filter.event ? { event: filter.event } : {}),
    ...(filter.personId ? { personId: filter.personId } : {}),
    ...(filter.distinctId ? { where: [`distinct_id = ${printString(filter.distinctId)}`] } : {}),
    properties: [filter.property],
    ...(filter.cursor ? { before: new Date(Date.parse(filter.cursor.timestamp) + 1).toISOString() } : {}),
  };
  const events: EventView[] = [];
  for (let offset = 0; ; offset += limit) {
    const outcome = await runInsight(env, project, { ...query, limit, offset });
    if ('error' in outcome) return outcome;
    const rows = (outcome.response.results as unknown[][]).map(eventOfRow);
    events.push(...rows.filter((e) => !filter.cursor || isOlder(e, filter.cursor)));
    if (events.length >= limit || !outcome.response.hasMore) return { events: events.slice(0, limit) };
  }
}

/** Up to `limit` events of the filter, newest first; an error when the query engine refuses the property filter. */
export async function filteredEvents(
  env: Env,
  project: Project,
  filter: EventsFilter,
  limit: number,
): Promise<{ events: EventView[] } | { error: string; status: 400 | 501 | 504 }> {
  if (filter.property) return eventsByQuery(env, project, filter, limit);
  const db = await projectDb(env, project.id);
  return { events: await listEvents(db, project.id, filter, limit) };
}
