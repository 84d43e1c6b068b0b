import type { Child } from 'hono/jsx';
import type { HistoryEntry, PersonView } from '../../db/person-reads';
import type { WarningView } from '../../db/warning-reads';
import { Time } from '../ui';
import { appUrl, type WebContext } from '../context';

type Entry =
  | { kind: 'created'; at: string; eventUuid: string | null }
  | { kind: 'history'; at: string; entry: HistoryEntry }
  | { kind: 'refused'; at: string; warning: WarningView };

/**
 * What shaped this person, oldest first: its creation, identifications, merges, splits and
 * refused merges. An entry caused by an event is placed at the event's time (as warnings are),
 * else at the time it was written (splits).
 */
export function timelineOf(
  person: PersonView,
  history: HistoryEntry[],
  refused: WarningView[],
  eventTimes: Map<string, string>,
): Entry[] {
  const creator = person.properties.$creator_event_uuid;
  const entries: Entry[] = [
    { kind: 'created', at: person.createdAt, eventUuid: typeof creator === 'string' ? creator : null },
    ...history.map(
      (entry): Entry => ({
        kind: 'history',
        at: (entry.eventUuid && eventTimes.get(entry.eventUuid)) || entry.at,
        entry,
      }),
    ),
    ...refused.map((warning): Entry => ({ kind: 'refused', at: warning.timestamp, warning })),
  ];
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

export function MergeTimeline({
  c,
  projectId,
  person,
  entries,
}: {
  c: WebContext;
  projectId: number;
  person: PersonView;
  entries: Entry[];
}) {
  const eventLink = (uuid: string | null | undefined, label: Child = 'event') =>
    uuid ? (
      <a href={appUrl(c, `/projects/${projectId}/events/${uuid}`)} class="event-link">
        {label}
      </a>
    ) : null;
  const personLink = (id: string) => (
    <a href={appUrl(c, `/projects/${projectId}/persons/${id}`)} class="id">
      {id.slice(0, 8)}…
    </a>
  );
  const idLink = (d: string) => (
    <a href={appUrl(c, `/projects/${projectId}/persons`, { q: d })} class="id">
      {d}
    </a>
  );

  const describe = (e: Entry): { title: Child; body: Child; cls: string } => {
    if (e.kind === 'created') {
      return {
        cls: 'created',
        title: 'Created',
        body: <>First seen{e.eventUuid ? <> with this {eventLink(e.eventUuid)}</> : null}.</>,
      };
    }
    if (e.kind === 'refused') {
      const d = e.warning.details;
      if (e.warning.type === 'cannot_merge_already_identified') {
        return {
          cls: 'refused',
          title: 'Merge refused',
          body: (
            <>
              <span class="id">{str(d.sourcePersonDistinctId)}</span>
              {' is already identified, so it was not merged into '}
              <span class="id">{str(d.targetPersonDistinctId)}</span>. Warning <code>{e.warning.type}</code> ·{' '}
              {eventLink(e.warning.eventUuid)}
            </>
          ),
        };
      }
      return {
        cls: 'refused',
        title: 'Merge refused',
        body: (
          <>
            <span class="id">{str(d.illegalDistinctId)}</span>
            {' is not a distinct id anything can merge with (asked with '}
            <span class="id">{str(d.otherDistinctId)}</span>). Warning <code>{e.warning.type}</code> ·{' '}
            {eventLink(e.warning.eventUuid)}
          </>
        ),
      };
    }
    const h = e.entry;
    const d = h.details ?? {};
    const via = d.event ? (
      <>
        {' '}
        by <code>{str(d.event)}</code>
      </>
    ) : null;
    if (h.kind === 'identify') {
      const added = Array.isArray(d.distinct_ids_added) ? d.distinct_ids_added.map(str) : [];
      return {
        cls: 'joined',
        title: 'Ids joined',
        body: (
          <>
            {added.map((id, i) => (
              <>
                {i > 0 ? ', ' : ''}
                {idLink(id)}
              </>
            ))}{' '}
            {added.length === 1 ? 'joined' : 'joined together'}
            {via} · {eventLink(h.eventUuid)}
          </>
        ),
      };
    }
    if (h.kind === 'merge') {
      return {
        cls: 'merged',
        title: 'Merged',
        body: (
          <>
            Person {personLink(h.sourcePersonId)} of <span class="id">{str(d.source_distinct_id)}</span> merged in (with
            all its ids) when <span class="id">{str(d.target_distinct_id)}</span> was identified{via} ·{' '}
            {eventLink(h.eventUuid)}
          </>
        ),
      };
    }
    if (h.kind === 'split') {
      if (h.sourcePersonId === person.id) {
        return {
          cls: 'split',
          title: 'Split off',
          body: (
            <>
              <span class="id">{str(d.distinct_id)}</span> left for a new person {personLink(h.targetPersonId)}.
            </>
          ),
        };
      }
      return {
        cls: 'split',
        title: 'Split from',
        body: (
          <>
            <span class="id">{str(d.distinct_id)}</span> was split off person {personLink(h.sourcePersonId)}.
          </>
        ),
      };
    }
    return { cls: 'other', title: h.kind, body: eventLink(h.eventUuid) };
  };

  return (
    <ol class="timeline">
      {entries.map((e) => {
        const { title, body, cls } = describe(e);
        return (
          <li class={cls}>
            <span class="when">
              <Time at={e.at} />
            </span>
            <strong>{title}</strong>
            <p>{body}</p>
          </li>
        );
      })}
    </ol>
  );
}
