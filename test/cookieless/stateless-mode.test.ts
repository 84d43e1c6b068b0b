import { and, eq, inArray } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { bytesOfBase64, cookielessHash, distinctIdOfHash } from '../../src/cookieless/hash';
import { forgetCachedSalts } from '../../src/cookieless/salts';
import { saltWindowOf, startOfDay } from '../../src/cookieless/days';
import { cookielessSalts, events, ingestionWarnings } from '../../src/db/schema';
import { api, dbFor, eventually, fetchWorker, personsOf } from '../support';
import {
  CHROME,
  FIREFOX,
  MINUTE,
  HOUR,
  project,
  cookielessEvent,
  send,
  storedEvents,
  warningsOf,
  placeholderIdsStored,
  now,
} from './cookieless-support';

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
