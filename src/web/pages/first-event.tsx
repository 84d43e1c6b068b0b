/**
 * An empty project teaches instead of charting zeros: its snippets, and a live "waiting for the first event" check
 * (first-event.js polls `first-event.json` and announces the event when it is stored).
 */
import { listEvents } from '../../db/event-reads';
import { projectReadDb } from '../../db/shards';
import type { Env } from '../../env';
import { appUrl, type WebContext } from '../context';
import { SdkSnippets } from './snippets';

/** How often the page asks whether the first event is stored. */
const POLL_SECONDS = 3;

async function newestEvent(env: Env, projectId: number) {
  const db = await projectReadDb(env, projectId);
  return (await listEvents(db, projectId, {}, 1))[0];
}

/** Whether the project has stored any event (its newest, by the events list's index). */
export async function projectHasEvents(env: Env, projectId: number): Promise<boolean> {
  return (await newestEvent(env, projectId)) !== undefined;
}

/** `GET …/first-event.json`: `{received: false}`, or `{received: true, event, timestamp}` of the newest event. */
export async function firstEventJson(c: WebContext) {
  const event = await newestEvent(c.env, c.get('project').id);
  if (!event) return c.json({ received: false });
  return c.json({ received: true, event: event.event, timestamp: event.timestamp });
}

/** The live check: first-event.js replaces its text when the first event is stored. */
export function FirstEventWaiting({ c }: { c: WebContext }) {
  return (
    <p
      class="waiting"
      id="first-event-status"
      role="status"
      aria-live="polite"
      data-poll={appUrl(c, `/projects/${c.get('project').id}/first-event.json`)}
      data-poll-seconds={String(POLL_SECONDS)}
    >
      Waiting for the first event…
    </p>
  );
}

/** In place of a page's results while the project is empty: what to send, and the live check. */
export function FirstEventPanel({ c }: { c: WebContext }) {
  return (
    <section class="first-event card">
      <h2>No events yet</h2>
      <p>
        This project has not received an event. Send one with any PostHog SDK pointed at this server (the snippets carry
        the project's token); this page notices it within a few seconds.
      </p>
      <FirstEventWaiting c={c} />
      <SdkSnippets c={c} token={c.get('project').apiToken} />
    </section>
  );
}
