import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import type { Env } from '../../src/env';
import { consumeIngestBatch } from '../../src/ingest/consumer';
import type { IngestMessage } from '../../src/queue/message';
import {
  BASE,
  capture,
  env,
  ev,
  eventRow,
  eventually,
  newProject,
  personOf,
  personsOf,
  waitForStored,
  warningsOf,
} from '../support';

const PROXY_ENV: Env = { ...(env as Env), TRUSTED_PROXIES: '10.0.0.0/8' };

async function viaProxy(token: string, batch: unknown[], clientIp: string, geo: Record<string, string>): Promise<void> {
  const res = await app.fetch(
    new Request(`${BASE}/batch/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'CF-Connecting-IP': '10.0.0.2',
        'X-Forwarded-For': clientIp,
        ...geo,
      },
      body: JSON.stringify({ api_key: token, batch }),
    }),
    PROXY_ENV,
  );
  expect(res.status).toBe(200);
}

describe('automatic person properties through the pipeline', () => {
  it('latest values as $set, first touch as $initial_*, GeoIP of the proxied client; explicit $set wins', async () => {
    const p = await newProject();
    const first = ev('$pageview', 'anon-a', {
      $browser: 'Chrome',
      $os: 'Mac OS X',
      $current_url: 'https://shop.test/?utm_source=news',
      $pathname: '/',
      utm_source: 'news',
      $referring_domain: 'news.test',
    });
    await viaProxy(p.api_token, [first], '198.51.100.23', {
      'CF-IPCountry': 'NL',
      'CF-IPCity': 'Amsterdam',
      'CF-Postal-Code': '1012',
    });
    await waitForStored(p.id, [first.uuid]);
    const second = ev('$pageview', 'anon-a', {
      $browser: 'Firefox',
      $current_url: 'https://shop.test/cart',
      $pathname: '/cart',
      utm_source: 'ads',
      $set: { $browser: 'Explicit' },
    });
    await viaProxy(p.api_token, [second], '203.0.113.5', { 'CF-IPCountry': 'DE', 'CF-IPCity': 'Berlin' });
    await waitForStored(p.id, [second.uuid]);
    const person = await personOf(p.id, 'anon-a');
    expect(person?.properties).toMatchObject({
      $browser: 'Explicit',
      $os: 'Mac OS X',
      $current_url: 'https://shop.test/cart',
      $pathname: '/cart',
      utm_source: 'ads',
      $initial_browser: 'Chrome',
      $initial_os: 'Mac OS X',
      $initial_current_url: 'https://shop.test/?utm_source=news',
      $initial_pathname: '/',
      $initial_utm_source: 'news',
      $initial_referring_domain: 'news.test',
      $geoip_country_code: 'DE',
      $geoip_city_name: 'Berlin',
      // The new location has no postal code: the stale one is cleared.
      $geoip_postal_code: null,
      $initial_geoip_country_code: 'NL',
      $initial_geoip_city_name: 'Amsterdam',
      $initial_geoip_postal_code: '1012',
    });
    const stored = await eventRow(p.id, second.uuid);
    expect(stored?.properties).toMatchObject({ $ip: '203.0.113.5', $geoip_city_name: 'Berlin' });
  });

  it('no GeoIP on the person with $geoip_disable, and no host OS from a server SDK', async () => {
    const p = await newProject();
    const e = ev('signed up', 'user-s', {
      $geoip_disable: true,
      $is_server: true,
      $os: 'Linux',
      $lib: 'posthog-node',
      utm_campaign: 'spring',
    });
    await viaProxy(p.api_token, [e], '198.51.100.23', { 'CF-IPCountry': 'NL' });
    await waitForStored(p.id, [e.uuid]);
    const props = (await personOf(p.id, 'user-s'))!.properties;
    expect(props).toMatchObject({ utm_campaign: 'spring', $initial_utm_campaign: 'spring' });
    expect(Object.keys(props).filter((k) => k.includes('geoip') || k.includes('os'))).toEqual([]);
  });

  it('a new URL alone does not write the person; it is written with the next real change', async () => {
    const p = await newProject();
    const a = ev('$pageview', 'anon-v', { $current_url: 'https://x.test/1' });
    await capture(p.api_token, [a]);
    await waitForStored(p.id, [a.uuid]);
    const before = (await personOf(p.id, 'anon-v'))!;
    const b = ev('$pageview', 'anon-v', { $current_url: 'https://x.test/2' });
    await capture(p.api_token, [b]);
    await waitForStored(p.id, [b.uuid]);
    const after = (await personOf(p.id, 'anon-v'))!;
    expect(after.version).toBe(before.version);
    const c = ev('$pageview', 'anon-v', { $current_url: 'https://x.test/3', $set: { plan: 'pro' } });
    await capture(p.api_token, [c]);
    await waitForStored(p.id, [c.uuid]);
    const written = (await personOf(p.id, 'anon-v'))!;
    expect(written.version).toBe(before.version + 1);
    expect(written.properties).toMatchObject({
      plan: 'pro',
      $current_url: 'https://x.test/3',
      $initial_current_url: 'https://x.test/1',
    });
  });
});

describe('events with their own rules', () => {
  it('$exception and $$heatmap are stored but never create or update persons', async () => {
    const p = await newProject();
    const seed = ev('$pageview', 'known', { $set: { plan: 'free' } });
    await capture(p.api_token, [seed]);
    await waitForStored(p.id, [seed.uuid]);
    const known = (await personOf(p.id, 'known'))!;
    const exception = ev('$exception', 'known', {
      $set: { plan: 'hacked' },
      $browser: 'Chrome',
      $exception_list: [{ type: 'Error' }],
    });
    const heatmap = ev('$$heatmap', 'known', { $set_once: { first: 'x' }, $viewport_width: 100 });
    const stranger = ev('$exception', 'never-seen', { $set: { a: 1 } });
    await capture(p.api_token, [exception, heatmap, stranger]);
    await waitForStored(p.id, [exception.uuid, heatmap.uuid, stranger.uuid]);
    const after = (await personOf(p.id, 'known'))!;
    expect(after.properties).toEqual(known.properties);
    expect(after.version).toBe(known.version);
    expect(await personOf(p.id, 'never-seen')).toBeUndefined();
    expect((await eventRow(p.id, exception.uuid))?.personIdAtIngest).toBe(known.id);
    expect((await eventRow(p.id, exception.uuid))?.properties).not.toHaveProperty('$set');
  });

  it('$$client_ingestion_warning becomes a client_ingestion_warning with its message, not an event', async () => {
    const p = await newProject();
    const warning = ev('$$client_ingestion_warning', 'anon-w', {
      $$client_ingestion_warning_message: 'posthog-js: event too large',
    });
    const normal = ev('$pageview', 'anon-w');
    await capture(p.api_token, [warning, normal]);
    await waitForStored(p.id, [normal.uuid]);
    const rows = await eventually('the client warning', async () => {
      const all = await warningsOf(p.id);
      return all.length > 0 ? all : undefined;
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'client_ingestion_warning', eventUuid: warning.uuid });
    expect(rows[0]!.details).toEqual({
      eventUuid: warning.uuid,
      event: '$$client_ingestion_warning',
      distinctId: 'anon-w',
      message: 'posthog-js: event too large',
    });
    expect(await eventRow(p.id, warning.uuid)).toBeUndefined();
    expect(await personsOf(p.id)).toHaveLength(1);
  });
});

describe('the dead-letter consumer', () => {
  it("stores capture's warnings and a $$client_ingestion_warning as warnings, never as events", async () => {
    const p = await newProject();
    const clientWarning = ev('$$client_ingestion_warning', 'anon-d', { $$client_ingestion_warning_message: 'too big' });
    const normal = ev('clicked', 'anon-d');
    const tooOld = {
      eventUuid: crypto.randomUUID(),
      type: 'event_dropped_too_old',
      details: { ageInSeconds: 99999, dropThresholdSeconds: 60 },
    };
    let acked = false;
    const message = {
      id: 'm1',
      timestamp: new Date(),
      attempts: 6,
      body: { projectId: p.id, events: [clientWarning, normal], warnings: [tooOld] },
      ack: () => void (acked = true),
      retry: () => undefined,
    };
    const batch = { queue: 'ingest-dlq', messages: [message], ackAll: () => undefined, retryAll: () => undefined };
    await consumeIngestBatch(batch as unknown as MessageBatch<IngestMessage>, env as Env);
    expect(acked).toBe(true);
    expect(await eventRow(p.id, clientWarning.uuid)).toBeUndefined();
    expect((await eventRow(p.id, normal.uuid))?.event).toBe('clicked');
    const warnings = await warningsOf(p.id);
    expect(warnings.map((w) => `${w.type} ${w.eventUuid}`).sort()).toEqual(
      [
        `client_ingestion_warning ${clientWarning.uuid}`,
        `event_dropped_too_old ${tooOld.eventUuid}`,
        `ingestion_retries_exhausted ${normal.uuid}`,
      ].sort(),
    );
  });
});
