// Waiting and comparing helpers. The queue consumer batches (max_batch_timeout = 1 s), so state
// appears a little after a 200; every check polls until it holds or a deadline passes, and then
// fails with the last expected-vs-actual diff.
import { expect, vi } from 'vitest';
import type { Person, ProjectApi, StoredEvent } from './rest';
import type { PageProblems } from './browser';
import type { SentEvent, Site } from './site';

export const STATE_TIMEOUT_MS = 30_000;

/** Retries `check` (which asserts) until it passes; on timeout rethrows its last failure. */
export function eventually<T>(check: () => Promise<T>, timeout = STATE_TIMEOUT_MS): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 300 });
}

/** What matters about a person when comparing: which ids it owns and whether it is identified. */
export function personShape(p: Person) {
  return { distinct_ids: [...p.distinct_ids].sort(), is_identified: p.is_identified };
}

/** Persons owning `distinctId`, polled until there is exactly the expected list. */
export async function expectPersonsFor(
  api: ProjectApi,
  distinctId: string,
  expected: ReturnType<typeof personShape>[],
): Promise<Person[]> {
  return eventually(async () => {
    const persons = await api.personsByDistinctId(distinctId);
    expect(persons.map(personShape), `persons with distinct_id ${distinctId}`).toEqual(expected);
    return persons;
  });
}

export function describeSent(e: SentEvent): string {
  const where = typeof e.properties.$pathname === 'string' ? ` ${e.properties.$pathname}` : '';
  return `${e.event}${where} from ${e.distinct_id} (uuid ${e.uuid})`;
}

/**
 * Every sent event is stored and attributed to `personId` now (including events sent under
 * an anonymous id before the merge). Reports missing and misattributed events by name.
 */
export async function expectEventsOfPerson(
  api: ProjectApi,
  personId: string,
  sent: SentEvent[],
): Promise<StoredEvent[]> {
  return eventually(async () => {
    const stored = await api.events({ person_id: personId });
    const byUuid = new Map(stored.map((e) => [e.id, e]));
    const missing = sent.filter((e) => !e.uuid || !byUuid.has(e.uuid)).map(describeSent);
    const wrongPerson = stored
      .filter((e) => e.person_id !== personId)
      .map((e) => `${e.event} from ${e.distinct_id} has person_id ${e.person_id}`);
    expect({ missing, wrongPerson }, `events of person ${personId} (GET events/?person_id=)`).toEqual({
      missing: [],
      wrongPerson: [],
    });
    return stored;
  });
}

export interface ExpectedSend {
  event: string;
  distinct_id: string;
  pathname?: string;
  /** Extra property values the event must carry. */
  properties?: Record<string, unknown>;
}

function matches(e: SentEvent, x: ExpectedSend): boolean {
  if (e.event !== x.event || e.distinct_id !== x.distinct_id) return false;
  if (x.pathname !== undefined && e.properties.$pathname !== x.pathname) return false;
  return Object.entries(x.properties ?? {}).every(([k, v]) => e.properties[k] === v);
}

/**
 * Waits until the SDK has delivered each expected event through the site's proxy and the
 * service accepted it. Returns the matching sent events, in the expected order.
 */
export async function waitForDelivery(
  site: Site,
  expected: ExpectedSend[],
  options: { timeout?: number; problems?: PageProblems[] } = {},
): Promise<SentEvent[]> {
  const timeout = options.timeout ?? 20_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const accepted = site.acceptedEvents();
    const found = expected.map((x) => accepted.find((e) => matches(e, x)));
    if (found.every(Boolean)) return found as SentEvent[];
    if (Date.now() > deadline) {
      const missing = expected
        .filter((_, i) => !found[i])
        .map((x) => `${x.event}${x.pathname ? ` ${x.pathname}` : ''} from ${x.distinct_id}`);
      const rejected = site.requests
        .filter((r) => r.status !== 200 && r.status !== 204)
        .map((r) => `${r.method} ${r.url} → ${r.status} ${r.responseBody}`);
      const undecodable = site.requests
        .filter((r) => r.decodeError)
        .map((r) => `${r.method} ${r.url}: ${r.decodeError}`);
      throw new Error(
        `posthog-js did not deliver these events within ${timeout} ms:\n  ${missing.join('\n  ')}\n` +
          `accepted so far:\n  ${accepted.map(describeSent).join('\n  ') || '(none)'}\n` +
          `rejected requests:\n  ${rejected.join('\n  ') || '(none)'}\n` +
          (undecodable.length ? `undecodable capture bodies:\n  ${undecodable.join('\n  ')}\n` : '') +
          `requests the browser cancelled (navigation):\n  ${options.problems?.flatMap((p) => p.abortedRequests).join('\n  ') || '(none)'}\n`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Requests to our endpoints that the service did not answer with 2xx (status 0: no answer). */
export async function rejectedRequests(site: Site): Promise<string[]> {
  await site.settled();
  return site.requests
    .filter((r) => r.status < 200 || r.status >= 300)
    .map((r) => `${r.method} ${r.url} → ${r.status} ${r.responseBody}`);
}
