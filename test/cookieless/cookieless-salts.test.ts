import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { purgeExpiredCookieless } from '../../src/cookieless';
import { applyCookieless } from '../../src/cookieless/apply';
import { bytesOfBase64, cookielessHash, distinctIdOfHash } from '../../src/cookieless/hash';
import { forgetCachedSalts, purgeExpiredCookielessState, saltFor } from '../../src/cookieless/salts';
import { saltWindowOf } from '../../src/cookieless/days';
import { cookielessIdentifies, cookielessSalts, cookielessSessions } from '../../src/db/schema';
import { api, dbFor, eventually } from '../support';
import { CHROME, MINUTE, HOUR, project, cookielessEvent, send, storedEvents, now } from './cookieless-support';

beforeEach(() => forgetCachedSalts());

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
