import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { forgetCachedSalts } from '../../src/cookieless/salts';
import { cookielessIdentifies, events } from '../../src/db/schema';
import { dbFor, eventually, fetchWorker, personsOf } from '../support';
import {
  CHROME,
  MINUTE,
  project,
  cookielessEvent,
  send,
  storedEvents,
  warningsOf,
  placeholderIdsStored,
  now,
  oneDayStart,
} from './cookieless-support';

beforeEach(() => forgetCachedSalts());

describe('disabled mode', () => {
  it('drops cookieless events with a warning and never stores the placeholder', async () => {
    const p = await project('disabled');
    const t = now() - MINUTE;
    const dropped = await send(p.api_token, [
      cookielessEvent('$pageview', t),
      cookielessEvent('$pageview', t + 1, { $cookieless_mode: undefined }), // placeholder id alone
      cookielessEvent('$pageview', t + 2, { $cookieless_mode: undefined }, '$sentinel_cookieless_server_hash'),
      cookielessEvent('$identify', t + 3, { $anon_distinct_id: '$posthog_cookieless' }, 'user-1'),
    ]);
    const aliasAndMerge = await send(p.api_token, [
      cookielessEvent('$create_alias', t + 4, { alias: 'user-2' }),
      cookielessEvent('$merge_dangerously', t + 5, { alias: 'user-3' }, 'user-1'),
    ]);
    const aliasWarnings = await warningsOf(p.id, aliasAndMerge, 'cookieless_event_dropped');
    expect(new Set(aliasWarnings.map((w) => w.details.reason))).toEqual(new Set(['alias_or_merge_in_cookieless_mode']));
    const [normal] = await send(p.api_token, [
      cookielessEvent('normal', t + 3, { $cookieless_mode: false }, 'real-user'),
    ]);
    const warnings = await warningsOf(p.id, dropped, 'cookieless_event_dropped');
    expect(new Set(warnings.map((w) => w.details.reason))).toEqual(new Set(['cookieless_disabled_for_project']));
    const rows = await storedEvents(p.id, [normal!]);
    expect(rows[0]!.distinctId).toBe('real-user');
    expect((await (await dbFor(p.id)).select().from(events).where(eq(events.projectId, p.id))).length).toBe(1);
    expect(await placeholderIdsStored()).toEqual([]);
  });
});

describe('stateful mode', () => {
  it('identify works; the next anonymous visitor behind the same IP and browser gets a new id', async () => {
    const p = await project('stateful');
    const t = now() - 20 * MINUTE;
    const before = await send(p.api_token, [cookielessEvent('$pageview', t), cookielessEvent('clicked', t + 1000)]);
    const [a, b] = await storedEvents(p.id, before);
    expect(a!.distinctId).toMatch(/^cookieless_/);
    expect(b!.distinctId).toBe(a!.distinctId);

    const [identify] = await send(p.api_token, [
      cookielessEvent(
        '$identify',
        t + 2000,
        { $anon_distinct_id: '$posthog_cookieless', $set: { email: 'a@example.com' } },
        'user-1',
      ),
    ]);
    const [identifyRow] = await storedEvents(p.id, [identify!]);
    expect(identifyRow!.properties.$anon_distinct_id).toBe(a!.distinctId);
    await eventually('the cookieless id merged into user-1', async () => {
      const persons = await personsOf(p.id);
      return (
        persons.length === 1 &&
        persons[0]!.distinctIds.includes('user-1') &&
        persons[0]!.distinctIds.includes(a!.distinctId)
      );
    });

    // User 1 goes on (identified); someone else uses the same computer, anonymously.
    const [identified] = await send(p.api_token, [cookielessEvent('identified', t + 3000, {}, 'user-1')]);
    const [anonymous] = await send(p.api_token, [cookielessEvent('$pageview', t + 4000)]);
    const [identifiedRow, anonymousRow] = await storedEvents(p.id, [identified!, anonymous!]);
    expect(identifiedRow!.distinctId).toBe('user-1');
    expect(anonymousRow!.distinctId).toMatch(/^cookieless_/);
    expect(anonymousRow!.distinctId).not.toBe(a!.distinctId);
    expect(anonymousRow!.properties.$device_id).toBe(a!.properties.$device_id);
    const persons = await eventually('two persons', async () => {
      const list = await personsOf(p.id);
      return list.length === 2 ? list : undefined;
    });
    expect(persons.find((x) => x.distinctIds.includes(anonymousRow!.distinctId))!.distinctIds).toEqual([
      anonymousRow!.distinctId,
    ]);
    expect(await placeholderIdsStored()).toEqual([]);

    // A retried identify counts once: re-sending it changes nothing.
    await fetchWorker('/batch/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.7', 'User-Agent': CHROME },
      body: JSON.stringify({
        api_key: p.api_token,
        batch: [
          {
            ...cookielessEvent('$identify', t + 2000, { $anon_distinct_id: '$posthog_cookieless' }, 'user-1'),
            uuid: identify,
            properties: {
              $cookieless_mode: true,
              $anon_distinct_id: '$posthog_cookieless',
              $raw_user_agent: CHROME,
              $host: 'www.example.com',
            },
          },
        ],
      }),
    });
    const recorded = await (await dbFor(p.id))
      .select()
      .from(cookielessIdentifies)
      .where(eq(cookielessIdentifies.projectId, p.id));
    expect(recorded.map((r) => r.eventUuid)).toEqual([identify]);
    const [later] = await send(p.api_token, [cookielessEvent('$pageview', t + 5000)]);
    expect((await storedEvents(p.id, [later!]))[0]!.distinctId).toBe(anonymousRow!.distinctId);
  });

  it('a session ends after 30 minutes without events', async () => {
    const p = await project('stateful');
    const t = oneDayStart(80 * MINUTE);
    const uuids = await send(p.api_token, [
      cookielessEvent('a', t),
      cookielessEvent('b', t + 10 * MINUTE),
      cookielessEvent('c', t + 39 * MINUTE), // 29 minutes after b
      cookielessEvent('d', t + 70 * MINUTE), // 31 minutes after c
    ]);
    const [e] = await send(p.api_token, [cookielessEvent('e', t + 80 * MINUTE)]);
    const rows = await storedEvents(p.id, [...uuids, e!]);
    const sessions = rows.map((r) => r.properties.$session_id as string);
    expect(sessions[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(sessions[1]).toBe(sessions[0]);
    expect(sessions[2]).toBe(sessions[0]);
    expect(sessions[3]).not.toBe(sessions[0]);
    expect(sessions[4]).toBe(sessions[3]);
    expect(new Set(rows.map((r) => r.distinctId)).size).toBe(1);
    // The session id carries the time of its first event.
    expect(parseInt(sessions[3]!.replace(/-/g, '').slice(0, 12), 16)).toBe(t + 70 * MINUTE);
  });

  it('concurrent requests of one visitor agree on one id and session; concurrent identifies count once', async () => {
    const p = await project('stateful');
    const t = now() - 10 * MINUTE;
    const sent = await Promise.all(
      Array.from({ length: 25 }, (_, i) => send(p.api_token, [cookielessEvent(`e${i}`, t + i * 1000)])),
    );
    const rows = await storedEvents(p.id, sent.flat());
    expect(new Set(rows.map((r) => r.distinctId)).size).toBe(1);
    expect(new Set(rows.map((r) => r.properties.$session_id)).size).toBe(1);
    expect(await personsOf(p.id)).toHaveLength(1);

    // Five people log in from this browser at once: five identifies recorded, each once, in one order.
    const identifies = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        send(p.api_token, [
          cookielessEvent('$identify', t + 60_000 + i, { $anon_distinct_id: '$posthog_cookieless' }, `user-${i}`),
        ]),
      ),
    );
    const identifyRows = await storedEvents(p.id, identifies.flat());
    const anonIds = identifyRows.map((r) => r.properties.$anon_distinct_id as string);
    // Each identify took the anonymous id its n gives: n = 0..4, all different, the first the id above.
    expect(new Set(anonIds).size).toBe(5);
    expect(anonIds).toContain(rows[0]!.distinctId);
    const recorded = await (await dbFor(p.id))
      .select()
      .from(cookielessIdentifies)
      .where(eq(cookielessIdentifies.projectId, p.id));
    expect(recorded.map((r) => r.eventUuid).sort()).toEqual(identifies.flat().sort());
  });

  it('$create_alias and $merge_dangerously from cookieless events are dropped', async () => {
    const p = await project('stateful');
    const uuids = await send(p.api_token, [
      cookielessEvent('$create_alias', now(), { alias: 'x' }, 'user-1'),
      cookielessEvent('$merge_dangerously', now(), { alias: 'y' }, 'user-1'),
    ]);
    const warnings = await warningsOf(p.id, uuids, 'cookieless_event_dropped');
    expect(warnings.every((w) => w.details.reason === 'alias_or_merge_in_cookieless_mode')).toBe(true);
  });
});
