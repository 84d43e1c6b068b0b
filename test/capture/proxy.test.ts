import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import type { Env } from '../../src/env';
import { BASE, api, env, eventually, newProject, waitForStored, warningsOf } from '../support';
import { sdkEvent } from './sdk-event';
import { projectDatabase } from '../../src/db/shards';

const PROXY_ENV: Env = { ...(env as Env), TRUSTED_PROXIES: '10.0.0.0/8', PROXY_SECRET: 'shared-secret-of-the-proxy' };

/** A capture request to the Worker with the given env (the proxy settings are vars). */
function capture(
  body: unknown,
  headers: Record<string, string>,
  cf?: Record<string, string>,
  workerEnv: Env = PROXY_ENV,
) {
  return app.fetch(
    new Request(`${BASE}/ingest/e/`, { method: 'POST', body: JSON.stringify(body), headers, cf } as RequestInit),
    workerEnv,
  );
}

describe('capture behind a reverse proxy', () => {
  it("stores the forwarded client's $ip and geo, never the proxy's", async () => {
    const project = await newProject('proxied');
    const viaProxy = sdkEvent({}, { token: project.api_token });
    const direct = sdkEvent({}, { token: project.api_token });
    const proxyCf = { country: 'US', city: 'Ashburn', continent: 'NA' };
    const res = await capture(
      [viaProxy],
      {
        'CF-Connecting-IP': '10.0.0.9',
        'X-Forwarded-For': '6.6.6.6, 198.51.100.23',
        'CF-IPCountry': 'NL',
        'CF-IPCity': 'Amsterdam',
      },
      proxyCf,
    );
    expect(res.status).toBe(200);
    // A direct sender forging the same headers gets its own address and location.
    const spoofed = await capture(
      [direct],
      {
        'CF-Connecting-IP': '203.0.113.50',
        'X-Forwarded-For': '198.51.100.23',
        'X-Real-IP': '198.51.100.23',
        'CF-IPCountry': 'NL',
        'X-Proxy-Secret': 'not-the-secret-at-all',
      },
      { country: 'CA', city: 'Toronto' },
    );
    expect(spoofed.status).toBe(200);
    const stored = await waitForStored(project.id, [viaProxy.uuid, direct.uuid]);
    const proxied = stored.get(viaProxy.uuid)!.properties;
    expect(proxied).toMatchObject({ $ip: '198.51.100.23', $geoip_country_code: 'NL', $geoip_city_name: 'Amsterdam' });
    expect(JSON.stringify(proxied)).not.toMatch(/Ashburn|10\.0\.0\.9/);
    expect(stored.get(direct.uuid)!.properties).toMatchObject({
      $ip: '203.0.113.50',
      $geoip_country_code: 'CA',
      $geoip_city_name: 'Toronto',
    });
  });

  it('a trusted proxy that forwards no geo gives no geo, and one that forwards no address gives no $ip', async () => {
    const project = await newProject('proxied, no geo');
    const a = sdkEvent({}, { token: project.api_token });
    const b = sdkEvent({}, { token: project.api_token });
    expect(
      (
        await capture(
          [a],
          { 'CF-Connecting-IP': '10.0.0.9', 'X-Forwarded-For': '[2001:db8::7]:5000' },
          { country: 'US' },
        )
      ).status,
    ).toBe(200);
    expect(
      (await capture([b], { 'CF-Connecting-IP': '10.0.0.9', 'X-Forwarded-For': '"><script>' }, { country: 'US' }))
        .status,
    ).toBe(200);
    const stored = await waitForStored(project.id, [a.uuid, b.uuid]);
    expect(stored.get(a.uuid)!.properties).toMatchObject({ $ip: '2001:db8::7' });
    expect(Object.keys(stored.get(a.uuid)!.properties as object).filter((k) => k.startsWith('$geoip'))).toEqual([]);
    expect(stored.get(b.uuid)!.properties).not.toHaveProperty('$ip');
    expect(Object.keys(stored.get(b.uuid)!.properties as object).filter((k) => k.startsWith('$geoip'))).toEqual([]);
  });

  it('a proxy with the shared secret is trusted from any address', async () => {
    const project = await newProject('secret proxy');
    const e = sdkEvent({}, { token: project.api_token });
    const res = await capture([e], {
      'CF-Connecting-IP': '2a06:98c0:3600::103',
      'X-Forwarded-For': '198.51.100.77, 2a06:98c0:3600::103',
      'X-Proxy-Secret': 'shared-secret-of-the-proxy',
      'X-Vercel-IP-Country': 'SE',
    });
    expect(res.status).toBe(200);
    const stored = await waitForStored(project.id, [e.uuid]);
    expect(stored.get(e.uuid)!.properties).toMatchObject({
      $ip: '198.51.100.77',
      $geoip_country_code: 'SE',
      $geoip_country_name: 'Sweden',
    });
  });

  it('a broken proxy config fails closed and the readiness check says why', async () => {
    const broken = { ...PROXY_ENV, TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.0/40' };
    const ready = await app.fetch(new Request(`${BASE}/_readiness`), broken);
    expect(ready.status).toBe(503);
    expect(await ready.text()).toMatch(/10\.0\.0\.0\/40/);
    expect((await app.fetch(new Request(`${BASE}/_readiness`), PROXY_ENV)).status).toBe(200);
    const project = await newProject('broken config');
    const e = sdkEvent({}, { token: project.api_token });
    expect(
      (await capture([e], { 'CF-Connecting-IP': '10.0.0.9', 'X-Forwarded-For': '198.51.100.23' }, undefined, broken))
        .status,
    ).toBe(200);
    expect((await waitForStored(project.id, [e.uuid])).get(e.uuid)!.properties).toMatchObject({ $ip: '10.0.0.9' });
  });
});

describe('project settings in capture', () => {
  it('anonymize_ips: no $ip (not even one the event sent) and no geo', async () => {
    const project = await newProject('anonymous');
    expect((await api(`/api/projects/${project.id}/`, { method: 'PATCH', json: { anonymize_ips: true } })).status).toBe(
      200,
    );
    const plain = sdkEvent({}, { token: project.api_token });
    const withIp = sdkEvent({}, { token: project.api_token, $ip: '198.51.100.1' });
    const res = await capture(
      [plain, withIp],
      { 'CF-Connecting-IP': '10.0.0.9', 'X-Forwarded-For': '198.51.100.23', 'CF-IPCountry': 'NL' },
      { country: 'US' },
    );
    expect(res.status).toBe(200);
    const stored = await waitForStored(project.id, [plain.uuid, withIp.uuid]);
    for (const row of stored.values()) {
      expect(row.properties).not.toHaveProperty('$ip');
      expect(Object.keys(row.properties as object).filter((k) => k.startsWith('$geoip'))).toEqual([]);
    }
  });

  it('drop_events_older_than_seconds: older events dropped (event_dropped_too_old), newer ones kept', async () => {
    const project = await newProject('drops old');
    expect(
      (await api(`/api/projects/${project.id}/`, { method: 'PATCH', json: { drop_events_older_than_seconds: 3600 } }))
        .status,
    ).toBe(200);
    const now = Date.now();
    const old = sdkEvent({ timestamp: new Date(now - 2 * 3600_000).toISOString() }, { token: project.api_token });
    const recent = sdkEvent({ timestamp: new Date(now - 1800_000).toISOString() }, { token: project.api_token });
    const res = await capture([old, recent], { 'CF-Connecting-IP': '203.0.113.5' });
    expect(res.status).toBe(200);
    await waitForStored(project.id, [recent.uuid]);
    const warnings = await eventually('the too-old warning', async () => {
      const rows = await warningsOf(project.id);
      return rows.length > 0 ? rows : undefined;
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ type: 'event_dropped_too_old', eventUuid: old.uuid });
    expect(warnings[0]!.details).toMatchObject({
      eventUuid: old.uuid,
      event: old.event,
      distinctId: old.distinct_id,
      dropThresholdSeconds: 3600,
    });
    expect((warnings[0]!.details as { ageInSeconds: number }).ageInSeconds).toBeGreaterThanOrEqual(7199);
    const stillThere = await (await projectDatabase(env, project.id))
      .prepare('SELECT COUNT(*) AS n FROM events WHERE project_id = ? AND uuid = ?')
      .bind(project.id, old.uuid)
      .first<{ n: number }>();
    expect(stillThere?.n).toBe(0);
  });

  it('a request whose events are all too old still answers 200 and records a warning for each', async () => {
    const project = await newProject('all old');
    await api(`/api/projects/${project.id}/`, { method: 'PATCH', json: { drop_events_older_than_seconds: 60 } });
    const list = Array.from({ length: 3 }, () =>
      sdkEvent({ timestamp: '2020-01-01T00:00:00.000Z' }, { token: project.api_token }),
    );
    expect((await capture(list, {})).status).toBe(200);
    const warnings = await eventually('3 warnings', async () => {
      const rows = await warningsOf(project.id);
      return rows.length === 3 ? rows : undefined;
    });
    expect(new Set(warnings.map((w) => w.eventUuid))).toEqual(new Set(list.map((e) => e.uuid)));
  });
});
