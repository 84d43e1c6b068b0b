import { env } from 'cloudflare:workers';
import { and, eq, inArray } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { purgeExpiredCookieless } from '../../src/cookieless';
import { applyCookieless } from '../../src/cookieless/apply';
import { bytesOfBase64, cookielessHash, distinctIdOfHash } from '../../src/cookieless/hash';
import { forgetCachedSalts, purgeExpiredCookielessState, saltFor } from '../../src/cookieless/salts';
import { saltWindowOf, startOfDay } from '../../src/cookieless/days';
import { dbOf } from '../../src/db/client';
import { shardDatabases } from '../../src/db/shards';
import { consumeIngestBatch } from '../../src/ingest/consumer';
import type { IngestMessage } from '../../src/queue/message';
import {
  cookielessIdentifies,
  cookielessSalts,
  cookielessSessions,
  events,
  ingestionWarnings,
  personDistinctIds,
} from '../../src/db/schema';
import { api, dbFor, eventually, fetchWorker, newProject, personsOf, waitForStored } from '../support';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const PLACEHOLDERS = ['$posthog_cookieless', '$sentinel_cookieless_server_hash'];

type Mode = 'disabled' | 'stateless' | 'stateful';

async function project(mode: Mode, timezone = 'UTC') {
  const p = await newProject(`cookieless ${mode}`);
  const res = await api(`/api/projects/${p.id}/`, {
    method: 'PATCH',
    json: { cookieless_server_hash_mode: mode, timezone },
  });
  expect(res.status).toBe(200);
  return p;
}

interface Visitor {
  ip?: string;
  ua?: string;
  host?: string;
}

/** A posthog-js cookieless event (placeholder id, `$cookieless_mode`), `at` ms since the epoch. */
function cookielessEvent(
  event: string,
  at: number,
  properties: Record<string, unknown> = {},
  distinctId = '$posthog_cookieless',
) {
  return {
    event,
    uuid: crypto.randomUUID(),
    distinct_id: distinctId,
    timestamp: new Date(at).toISOString(),
    properties: { $cookieless_mode: true, ...properties } as Record<string, unknown>,
  };
}

/** Sends events like a browser: the User-Agent goes in `$raw_user_agent` and the header, the site in `$host`. */
async function send(token: string, batch: ReturnType<typeof cookielessEvent>[], visitor: Visitor = {}) {
  const { ip = '203.0.113.7', ua = CHROME, host = 'www.example.com' } = visitor;
  for (const e of batch) {
    e.properties = { $raw_user_agent: ua, $host: host, $current_url: `https://${host}/page`, ...e.properties };
  }
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': ip, 'User-Agent': ua },
    body: JSON.stringify({ api_key: token, batch }),
  });
  expect(res.status).toBe(200);
  return batch.map((e) => e.uuid);
}

async function storedEvents(projectId: number, uuids: string[]) {
  await waitForStored(projectId, uuids);
  const rows = await (await dbFor(projectId))
    .select()
    .from(events)
    .where(and(eq(events.projectId, projectId), inArray(events.uuid, uuids)));
  const byUuid = new Map(rows.map((r) => [r.uuid, r]));
  return uuids.map((u) => byUuid.get(u)!);
}

async function warningsOf(projectId: number, uuids: string[], type: string) {
  return eventually(`${uuids.length} ${type} warnings`, async () => {
    const rows = await (await dbFor(projectId))
      .select()
      .from(ingestionWarnings)
      .where(
        and(
          eq(ingestionWarnings.projectId, projectId),
          eq(ingestionWarnings.type, type),
          inArray(ingestionWarnings.eventUuid, uuids),
        ),
      );
    return rows.length === uuids.length ? rows : undefined;
  });
}

async function placeholderIdsStored() {
  // On every shard.
  const all = await Promise.all(
    shardDatabases(env).map((shard) =>
      dbOf(shard).select().from(personDistinctIds).where(inArray(personDistinctIds.distinctId, PLACEHOLDERS)),
    ),
  );
  return all.flat();
}

const now = () => Date.now();
const DAY = 24 * HOUR;
/** A past start for events spanning `span` ms that all fall on one UTC day (a salt is per day), whatever the time of the run. */
const oneDayStart = (span: number) => {
  const today = now() - (now() % DAY);
  return now() - today > span + MINUTE ? today : today - DAY;
};

beforeEach(() => forgetCachedSalts());

describe('stateless mode (the default)', () => {
  it('one visitor (IP + user agent + site + day) is one cookieless id and one person across many events', async () => {
    const p = await project('stateless');
    const t = now() - 5 * MINUTE;
    const first = await send(p.api_token, [cookielessEvent('$pageview', t), cookielessEvent('clicked', t + 1000)]);
    // Another request, another subdomain of the same site, many events.
    const more = await send(
      p.api_token,
      Array.from({ length: 20 }, (_, i) => cookielessEvent(`e${i}`, t + 2000 + i)),
      { host: 'shop.example.com' },
    );
    const rows = await storedEvents(p.id, [...first, ...more]);
    const ids = new Set(rows.map((r) => r.distinctId));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(id).toMatch(/^cookieless_[A-Za-z0-9+/]{22}$/);
    for (const r of rows) {
      expect(r.properties.$device_id).toMatch(/^cookielessd_/);
      expect(r.properties.$session_id).toBe(rows[0]!.properties.$session_id);
      expect(r.properties).not.toHaveProperty('$ip');
      expect(r.properties).not.toHaveProperty('$raw_user_agent');
      expect(r.properties).not.toHaveProperty('$cookieless_extra');
    }
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]!.distinctIds).toEqual([id]);
    expect(await placeholderIdsStored()).toEqual([]);
  });

  it("older SDKs' placeholder is hashed the same way", async () => {
    const p = await project('stateless');
    const t = now() - MINUTE;
    const uuids = await send(p.api_token, [
      cookielessEvent('new sdk', t),
      cookielessEvent('old sdk', t + 1, { $cookieless_mode: undefined }, '$sentinel_cookieless_server_hash'),
    ]);
    const [a, b] = await storedEvents(p.id, uuids);
    expect(a!.distinctId).toMatch(/^cookieless_/);
    expect(b!.distinctId).toBe(a!.distinctId);
  });

  it('with anonymize_ips, nothing derived from the IP is stored: no $ip, no $geoip_*', async () => {
    const p = await project('stateless');
    expect((await api(`/api/projects/${p.id}/`, { method: 'PATCH', json: { anonymize_ips: true } })).status).toBe(200);
    const [uuid] = await send(p.api_token, [
      cookielessEvent('$pageview', now(), { $geoip_city_name: 'Berlin', $geoip_country_code: 'DE' }),
    ]);
    const [row] = await storedEvents(p.id, [uuid!]);
    expect(row!.distinctId).toMatch(/^cookieless_/);
    expect(Object.keys(row!.properties).filter((k) => k === '$ip' || k.startsWith('$geoip_'))).toEqual([]);
  });

  it('another user agent, IP, site, project, extra or day gives another id', async () => {
    const p = await project('stateless');
    const other = await project('stateless');
    const t = now() - 10 * MINUTE;
    const yesterday = t - 24 * HOUR;
    const sent = [
      await send(p.api_token, [cookielessEvent('base', t)]),
      await send(p.api_token, [cookielessEvent('ua', t)], { ua: FIREFOX }),
      await send(p.api_token, [cookielessEvent('ip', t)], { ip: '198.51.100.1' }),
      await send(p.api_token, [cookielessEvent('ipv6', t)], { ip: '2001:db8::1' }),
      await send(p.api_token, [cookielessEvent('site', t)], { host: 'www.example.org' }),
      await send(p.api_token, [cookielessEvent('extra', t, { $cookieless_extra: 'tab-2' })]),
      await send(p.api_token, [cookielessEvent('day', yesterday)]),
    ].flat();
    const [otherProject] = await send(other.api_token, [cookielessEvent('project', t)]);
    const rows = await storedEvents(p.id, sent);
    const [otherRow] = await storedEvents(other.id, [otherProject!]);
    const ids = [...rows, otherRow!].map((r) => r.distinctId);
    expect(new Set(ids).size).toBe(ids.length);
    // Same visitor again: the first id.
    const [again] = await send(p.api_token, [cookielessEvent('again', t + 1000)]);
    expect((await storedEvents(p.id, [again!]))[0]!.distinctId).toBe(ids[0]);
  });

  it('two events around midnight in the project timezone get two ids (two salts)', async () => {
    const tz = 'Pacific/Auckland';
    const p = await project('stateless', tz);
    const today = saltWindowOf(now(), tz).day;
    const midnight = startOfDay(today, tz);
    const uuids = await send(p.api_token, [
      cookielessEvent('before', midnight - 1000),
      cookielessEvent('after', midnight + 1000),
    ]);
    const [before, after] = await storedEvents(p.id, uuids);
    expect(before!.distinctId).not.toBe(after!.distinctId);
    // The same instants in UTC are one day: in a UTC project, both are one visitor (unless UTC midnight is between).
    const salts = await (await dbFor(p.id)).select().from(cookielessSalts).where(eq(cookielessSalts.projectId, p.id));
    expect(salts.map((s) => s.day).sort()).toEqual([saltWindowOf(midnight - 1000, tz).day, today].sort());
    // The stored id is the hash of that day's stored salt.
    const salt = salts.find((s) => s.day === today)!.salt;
    const expected = distinctIdOfHash(
      cookielessHash(bytesOfBase64(salt), {
        projectId: p.id,
        ip: '203.0.113.7',
        rootDomain: 'example.com',
        userAgent: CHROME,
      }),
    );
    expect(after!.distinctId).toBe(expected);
  });

  it('$identify is dropped with a warning; $create_alias and $merge_dangerously too', async () => {
    const p = await project('stateless');
    const t = now() - MINUTE;
    const [pageview] = await send(p.api_token, [cookielessEvent('$pageview', t)]);
    const identify = await send(p.api_token, [
      cookielessEvent('$identify', t + 1, { $anon_distinct_id: '$posthog_cookieless' }, 'user-1'),
    ]);
    const aliasAndMerge = await send(p.api_token, [
      cookielessEvent('$create_alias', t + 2, { alias: 'user-2' }),
      cookielessEvent('$merge_dangerously', t + 3, { alias: 'user-3' }),
    ]);
    const warnings = await warningsOf(p.id, [...identify, ...aliasAndMerge], 'cookieless_event_dropped');
    expect(warnings.map((w) => w.details.reason).sort()).toEqual([
      'alias_or_merge_in_cookieless_mode',
      'alias_or_merge_in_cookieless_mode',
      'identify_in_stateless_mode',
    ]);
    await storedEvents(p.id, [pageview!]);
    const stored = await (await dbFor(p.id))
      .select()
      .from(events)
      .where(and(eq(events.projectId, p.id), inArray(events.uuid, [...identify, ...aliasAndMerge])));
    expect(stored).toEqual([]);
    const persons = await personsOf(p.id);
    expect(persons).toHaveLength(1);
    expect(persons[0]!.distinctIds[0]).toMatch(/^cookieless_/);
  });

  it('events of days without a salt any more (or missing inputs) are dropped with a warning', async () => {
    const p = await project('stateless');
    const old = await send(p.api_token, [cookielessEvent('three days ago', now() - 72 * HOUR)]);
    const noHost = await fetchWorker('/e/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.7' },
      body: JSON.stringify({ api_key: p.api_token, ...cookielessEvent('no host, no user agent', now()) }),
    });
    expect(noHost.status).toBe(200);
    const warnings = await warningsOf(p.id, old, 'cookieless_event_dropped');
    expect(warnings[0]!.details.reason).toBe('no_salt_for_day');
    const all = await eventually('two warnings', async () => {
      const rows = await (await dbFor(p.id))
        .select()
        .from(ingestionWarnings)
        .where(eq(ingestionWarnings.projectId, p.id));
      return rows.length === 2 ? rows : undefined;
    });
    expect(all.map((w) => w.details.reason).sort()).toEqual(['missing_user_agent', 'no_salt_for_day']);
    expect(await (await dbFor(p.id)).select().from(events).where(eq(events.projectId, p.id))).toEqual([]);
  });
});

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

  it('concurrent requests of one visitor agree on one id and one session; concurrent identifies each count once', async () => {
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

describe('the placeholder never becomes a distinct id, in any mode or shape', () => {
  it.each(['disabled', 'stateless', 'stateful'] as const)('%s', async (mode) => {
    const p = await project(mode);
    const post = (path: string, body: unknown) =>
      fetchWorker(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const plain = (event: string, distinctId: string, properties: Record<string, unknown> = {}) => ({
      event,
      distinct_id: distinctId,
      uuid: crypto.randomUUID(),
      properties,
    });
    // No `$cookieless_mode`, no IP, user agent or site: server SDK shapes.
    const identify = plain('$identify', 'user-1', { $anon_distinct_id: '$posthog_cookieless' });
    const alias = plain('$create_alias', 'user-2', { alias: '$sentinel_cookieless_server_hash' });
    const merge = plain('$merge_dangerously', 'user-3', { alias: '$posthog_cookieless' });
    const setOnly = plain('$set', '$posthog_cookieless', { $set: { a: 1 } });
    for (const e of [identify, alias, merge, setOnly])
      expect((await post('/e/', { api_key: p.api_token, ...e })).status).toBe(200);
    const engage = await post('/engage/', { $token: p.api_token, $distinct_id: '$posthog_cookieless', $set: { b: 2 } });
    expect(engage.status).toBe(200);

    await storedEvents(p.id, [identify.uuid, alias.uuid, merge.uuid]);
    const illegal = await warningsOf(
      p.id,
      [identify.uuid, alias.uuid, merge.uuid],
      'cannot_merge_with_illegal_distinct_id',
    );
    expect(illegal).toHaveLength(3);
    await eventually('the $set event accounted for', async () => {
      const rows = await (await dbFor(p.id))
        .select()
        .from(ingestionWarnings)
        .where(and(eq(ingestionWarnings.projectId, p.id), eq(ingestionWarnings.eventUuid, setOnly.uuid)));
      return rows.length === 1;
    });
    await eventually('the /engage event accounted for', async () => {
      const rows = await (await dbFor(p.id))
        .select()
        .from(ingestionWarnings)
        .where(eq(ingestionWarnings.projectId, p.id));
      return rows.length === 5;
    });
    expect(await placeholderIdsStored()).toEqual([]);
    const persons = await personsOf(p.id);
    expect(persons.flatMap((x) => x.distinctIds).sort()).toEqual(['user-1', 'user-2', 'user-3']);
  });
});

describe('the consumer', () => {
  it('stores only the warning of a dropped event, and refuses a placeholder id that reached the queue', async () => {
    const p = await project('stateless');
    const base = { timestamp: new Date().toISOString(), properties: {} };
    const dropped = {
      ...base,
      uuid: crypto.randomUUID(),
      event: '$pageview',
      distinct_id: '',
      dropped: { type: 'cookieless_event_dropped', details: { reason: 'missing_ip' } },
    };
    const placeholder = {
      ...base,
      uuid: crypto.randomUUID(),
      event: '$pageview',
      distinct_id: '$posthog_cookieless',
      properties: { $set: { a: 1 } },
    };
    const normal = { ...base, uuid: crypto.randomUUID(), event: '$pageview', distinct_id: 'someone' };
    await env.INGEST_QUEUE.send({ projectId: p.id, events: [dropped, placeholder, normal] });
    await storedEvents(p.id, [normal.uuid]);
    await warningsOf(p.id, [dropped.uuid], 'cookieless_event_dropped');
    await warningsOf(p.id, [placeholder.uuid], 'cookieless_placeholder_distinct_id');
    expect(
      (await (await dbFor(p.id)).select().from(events).where(eq(events.projectId, p.id))).map((e) => e.uuid),
    ).toEqual([normal.uuid]);
    expect(await placeholderIdsStored()).toEqual([]);
  });
});

describe('the dead-letter consumer', () => {
  it('stores the warning of a dropped event and never a placeholder id', async () => {
    const p = await project('stateless');
    const base = { timestamp: new Date().toISOString(), properties: {} };
    const dropped = {
      ...base,
      uuid: crypto.randomUUID(),
      event: 'x',
      distinct_id: '',
      dropped: { type: 'cookieless_event_dropped', details: { reason: 'missing_ip' } },
    };
    const placeholder = { ...base, uuid: crypto.randomUUID(), event: 'y', distinct_id: '$posthog_cookieless' };
    const normal = { ...base, uuid: crypto.randomUUID(), event: 'z', distinct_id: 'someone' };
    let acked = false;
    const message = {
      id: 'm1',
      timestamp: new Date(),
      attempts: 6,
      body: { projectId: p.id, events: [dropped, placeholder, normal] },
      ack: () => void (acked = true),
      retry: () => undefined,
    };
    const batch = { queue: 'ingest-dlq', messages: [message], ackAll: () => undefined, retryAll: () => undefined };
    await consumeIngestBatch(batch as unknown as MessageBatch<IngestMessage>, env);
    expect(acked).toBe(true);
    const rows = await (await dbFor(p.id)).select().from(events).where(eq(events.projectId, p.id));
    expect(rows.map((r) => r.uuid)).toEqual([normal.uuid]);
    const warnings = await (await dbFor(p.id))
      .select()
      .from(ingestionWarnings)
      .where(eq(ingestionWarnings.projectId, p.id));
    expect(warnings.map((w) => `${w.type} ${w.eventUuid}`).sort()).toEqual(
      [
        `cookieless_event_dropped ${dropped.uuid}`,
        `cookieless_placeholder_distinct_id ${placeholder.uuid}`,
        `ingestion_retries_exhausted ${normal.uuid}`,
      ].sort(),
    );
  });
});

describe('salts', () => {
  it('many racing first requests of a day agree on one salt', async () => {
    const p = await project('stateless');
    const window = saltWindowOf(now(), 'UTC');
    const shard = await dbFor(p.id);
    const salts = await Promise.all(
      Array.from({ length: 40 }, () => {
        forgetCachedSalts(); // every call goes to D1, as from 40 edge locations
        return saltFor(shard, p.id, window, now());
      }),
    );
    const distinct = new Set(salts.map((s) => btoa(String.fromCharCode(...s!))));
    expect(distinct.size).toBe(1);
    const rows = await (await dbFor(p.id)).select().from(cookielessSalts).where(eq(cookielessSalts.projectId, p.id));
    expect(rows).toHaveLength(1);
    expect(bytesOfBase64(rows[0]!.salt)).toEqual(salts[0]);
  });

  it('many concurrent capture requests of a new day all hash with the one stored salt', async () => {
    const p = await project('stateless');
    const t = now() - MINUTE;
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, i) => {
        forgetCachedSalts();
        return send(p.api_token, [cookielessEvent('$pageview', t)], { ip: `192.0.2.${i + 1}` });
      }),
    );
    const rows = await storedEvents(p.id, sent.flat());
    const [saltRow] = await (await dbFor(p.id))
      .select()
      .from(cookielessSalts)
      .where(eq(cookielessSalts.projectId, p.id));
    const salt = bytesOfBase64(saltRow!.salt);
    rows.forEach((row, i) => {
      const expected = cookielessHash(salt, {
        projectId: p.id,
        ip: `192.0.2.${i + 1}`,
        rootDomain: 'example.com',
        userAgent: CHROME,
      });
      expect(row.distinctId).toBe(distinctIdOfHash(expected));
    });
  });

  it('each day has its own salt; expired salts and bookkeeping are deleted, and their day is refused', async () => {
    const p = await project('stateful');
    const t = now() - MINUTE;
    await send(p.api_token, [cookielessEvent('yesterday', t - 24 * HOUR), cookielessEvent('today', t)]);
    const salts = await eventually('two salts', async () => {
      const rows = await (await dbFor(p.id)).select().from(cookielessSalts).where(eq(cookielessSalts.projectId, p.id));
      return rows.length === 2 ? rows : undefined;
    });
    expect(salts[0]!.salt).not.toBe(salts[1]!.salt);
    expect(
      await (await dbFor(p.id)).select().from(cookielessSessions).where(eq(cookielessSessions.projectId, p.id)),
    ).toHaveLength(2);

    const yesterday = salts.reduce((a, b) => (a.day < b.day ? a : b));
    await purgeExpiredCookielessState(await dbFor(p.id), yesterday.expiresAt);
    const left = await (await dbFor(p.id)).select().from(cookielessSalts).where(eq(cookielessSalts.projectId, p.id));
    expect(left.map((s) => s.day)).toEqual([salts.find((s) => s !== yesterday)!.day]);
    expect(
      await (await dbFor(p.id)).select().from(cookielessSessions).where(eq(cookielessSessions.projectId, p.id)),
    ).toHaveLength(1);

    // After the day and its grace period, an event of that day is dropped and no salt is made again.
    forgetCachedSalts();
    const out = await applyCookieless(
      await dbFor(p.id),
      {
        id: p.id,
        shard: 0,
        timezone: 'UTC',
        anonymizeIps: false,
        dropEventsOlderThanSeconds: null,
        cookielessServerHashMode: 'stateless',
      },
      [
        {
          uuid: crypto.randomUUID(),
          event: 'late',
          distinct_id: '$posthog_cookieless',
          timestamp: new Date(t - 24 * HOUR).toISOString(),
          properties: { $cookieless_mode: true, $raw_user_agent: CHROME, $host: 'example.com' },
        },
      ],
      { ip: '203.0.113.7' },
      yesterday.expiresAt,
    );
    expect(out[0]!.dropped?.details.reason).toBe('no_salt_for_day');
    const after = await (await dbFor(p.id))
      .select()
      .from(cookielessSalts)
      .where(and(eq(cookielessSalts.projectId, p.id), eq(cookielessSalts.day, yesterday.day)));
    expect(after).toEqual([]);
  });

  it('the scheduled clean-up deletes expired salts, identifies and sessions of every project', async () => {
    const p = await project('stateful');
    const t = Date.now();
    await (await dbFor(p.id)).insert(cookielessSalts).values([
      { projectId: p.id, day: '2000-01-01', salt: 'AQIDBAUGBwgJCgsMDQ4PEA', expiresAt: t - 1 },
      { projectId: p.id, day: '2999-01-01', salt: 'AQIDBAUGBwgJCgsMDQ4PEA', expiresAt: t + HOUR },
    ]);
    await (await dbFor(p.id))
      .insert(cookielessIdentifies)
      .values({ projectId: p.id, visitorKey: 'v', eventUuid: crypto.randomUUID(), expiresAt: t - 1 });
    await (await dbFor(p.id))
      .insert(cookielessSessions)
      .values({ projectId: p.id, sessionKey: 's', sessionId: 'x', lastActivity: t - HOUR, expiresAt: t - 1 });
    await purgeExpiredCookieless(env, t);
    expect(
      (await (await dbFor(p.id)).select().from(cookielessSalts).where(eq(cookielessSalts.projectId, p.id))).map(
        (r) => r.day,
      ),
    ).toEqual(['2999-01-01']);
    expect(
      await (await dbFor(p.id)).select().from(cookielessIdentifies).where(eq(cookielessIdentifies.projectId, p.id)),
    ).toEqual([]);
    expect(
      await (await dbFor(p.id)).select().from(cookielessSessions).where(eq(cookielessSessions.projectId, p.id)),
    ).toEqual([]);
  });

  it('no API answer shows a salt', async () => {
    const p = await project('stateless');
    await storedEvents(p.id, await send(p.api_token, [cookielessEvent('$pageview', now())]));
    const [salt] = await (await dbFor(p.id)).select().from(cookielessSalts).where(eq(cookielessSalts.projectId, p.id));
    for (const path of [
      `/api/projects/${p.id}/`,
      `/api/projects/`,
      `/api/projects/${p.id}/events/`,
      `/api/projects/${p.id}/persons/`,
    ]) {
      const text = await (await api(path)).text();
      expect(text).not.toContain(salt!.salt.slice(0, 16));
      expect(text.match(/"[^"]*salt[^"]*":/i)?.[0], 'a field named like a salt').toBeUndefined();
    }
  });
});
