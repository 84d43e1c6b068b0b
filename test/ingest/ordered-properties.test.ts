import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from '../../src/queue/message';
import {
  api,
  ev,
  fetchWorker,
  ingest,
  ingestInOrder,
  newProject,
  personOf,
  waitForStored,
  type PersonJson,
} from '../support';

/**
 * Issue #16 through the real pipeline (capture → queue → consumer → person
 * objects → D1): events arriving after newer ones leave the newest `$set`
 * values and the earliest `$initial_*`.
 */

const HOUR = 3600_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

type Project = { id: number; api_token: string };

/** A `/batch/` request as posthog-node / the mobile SDKs send it, with extra body fields. */
async function sendBatch(project: Project, batch: CapturedEvent[], extra: Record<string, unknown> = {}): Promise<void> {
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: project.api_token, batch, ...extra }),
  });
  expect(res.status).toBe(200);
  await waitForStored(
    project.id,
    batch.map((e) => e.uuid),
  );
}

async function personJson(projectId: number, personId: string): Promise<PersonJson> {
  const res = await api(`/api/projects/${projectId}/persons/${personId}/`);
  expect(res.status).toBe(200);
  return res.json();
}

const pageview = (distinctId: string, timestamp: string, properties: Record<string, unknown>) =>
  ev('$pageview', distinctId, properties, { timestamp });

describe('out-of-order arrival through the pipeline (issue #16)', () => {
  it('a mobile offline queue flushed hours later does not overwrite newer values, and fixes $initial_*', async () => {
    const p = await newProject();
    // Live: the user signed in on the web an hour ago and upgraded.
    const live = [
      pageview('anon-web', ago(1 * HOUR), { $referrer: 'https://bing.com/', $set: { plan: 'free' } }),
      ev(
        '$identify',
        'user-1',
        { $anon_distinct_id: 'anon-web', $set: { email: 'new@x.io' } },
        { timestamp: ago(1 * HOUR - 1000) },
      ),
      pageview('user-1', ago(0.5 * HOUR), { $set: { plan: 'pro', app_version: '2.0' } }),
    ];
    await ingestInOrder(p, live);

    // The phone was offline: its events from 3 hours ago arrive now, in one batch with sent_at.
    const offline = [
      pageview('user-1', ago(3 * HOUR), {
        $referrer: 'https://google.com/',
        $set: { plan: 'trial', app_version: '1.0', email: 'old@x.io' },
      }),
      pageview('user-1', ago(2.5 * HOUR), {
        $referrer: 'https://news.ycombinator.com/',
        $set_once: { first_device: 'phone' },
      }),
    ];
    await sendBatch(p, offline, { sent_at: new Date().toISOString() });

    const person = (await personOf(p.id, 'user-1'))!;
    expect(person.properties).toMatchObject({
      plan: 'pro',
      app_version: '2.0',
      email: 'new@x.io',
      first_device: 'phone',
      $initial_referrer: 'https://google.com/',
    });
    const json = await personJson(p.id, person.id);
    expect(json.properties_last_operation).toMatchObject({ plan: 'set', $initial_referrer: 'set_once' });
    expect(Date.parse(json.properties_last_updated_at.plan!)).toBeGreaterThan(Date.now() - 0.6 * HOUR);
    expect(Date.parse(json.properties_last_updated_at.$initial_referrer!)).toBeLessThan(Date.now() - 2.9 * HOUR);
  });

  it('a historical import arriving after live data keeps the live values and the earliest first touch', async () => {
    const p = await newProject();
    await ingestInOrder(p, [
      pageview('cust-9', '2026-03-01T10:00:00.000Z', {
        utm_source: 'newsletter',
        $set: { company: 'New Co', seats: 50 },
        $set_once: { first_plan: 'pro' },
      }),
      ev('$set', 'cust-9', { $unset: ['legacy_flag'] }, { timestamp: '2026-03-02T10:00:00.000Z' }),
    ]);

    // Backfill from another tool: the same customer's events of 2024.
    const history = [
      pageview('cust-9', '2024-05-01T09:00:00.000Z', {
        utm_source: 'google',
        $set: { company: 'Old Co', legacy_flag: true },
        $set_once: { first_plan: 'trial' },
      }),
      pageview('cust-9', '2024-06-01T09:00:00.000Z', { utm_source: 'bing', $set: { seats: 5, region: 'eu' } }),
    ];
    await sendBatch(p, history, { historical_migration: true });

    const person = (await personOf(p.id, 'cust-9'))!;
    expect(person.properties).toMatchObject({
      company: 'New Co',
      seats: 50,
      region: 'eu',
      first_plan: 'trial',
      $initial_utm_source: 'google',
    });
    expect(person.properties).not.toHaveProperty('legacy_flag');
    const json = await personJson(p.id, person.id);
    expect(json.properties_last_updated_at).toMatchObject({
      company: '2026-03-01T10:00:00.000Z',
      region: '2024-06-01T09:00:00.000Z',
      first_plan: '2024-05-01T09:00:00.000Z',
      legacy_flag: '2026-03-02T10:00:00.000Z',
    });
    expect(json.properties_last_operation).toMatchObject({
      legacy_flag: 'unset',
      first_plan: 'set_once',
      company: 'set',
    });
  });

  it('the same events in any arrival order, one request each, leave the same person', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 1, 1, 12, minute)).toISOString();
    const make = (d: string) => [
      pageview(d, at(1), { $referrer: 'https://a.test/', $set: { plan: 'free', color: 'red' } }),
      pageview(d, at(2), { $referrer: 'https://b.test/', $set_once: { cohort: 'feb' }, $unset: ['color'] }),
      pageview(d, at(3), { $set: { plan: 'pro' }, $set_once: { cohort: 'mar' } }),
      pageview(d, at(4), { $set: { color: 'blue' } }),
    ];
    const orders = [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
    ];
    const p = await newProject();
    const results = [];
    for (const [i, order] of orders.entries()) {
      const events = make(`order-${i}`);
      await ingestInOrder(
        p,
        order.map((k) => events[k]!),
      );
      const { $creator_event_uuid: _, ...properties } = (await personOf(p.id, `order-${i}`))!.properties;
      results.push(properties);
    }
    expect(results[0]).toEqual({
      plan: 'pro',
      color: 'blue',
      cohort: 'feb',
      $referrer: 'https://b.test/',
      $initial_referrer: 'https://a.test/',
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('a merge carries each key’s time: a late event compares against the surviving value’s time', async () => {
    const p = await newProject();
    await ingest(p, [pageview('anon-m', '2026-04-01T10:00:00.000Z', { $set: { theme: 'dark' } })]);
    await ingest(p, [pageview('user-m', '2026-04-01T08:00:00.000Z', { $set: { theme: 'light', tier: 'gold' } })]);
    await ingest(p, [
      ev('$identify', 'user-m', { $anon_distinct_id: 'anon-m' }, { timestamp: '2026-04-01T11:00:00.000Z' }),
    ]);
    // The target's value wins (PostHog), with its own time (08:00): a late event of 09:00 is newer than it.
    await ingest(p, [pageview('anon-m', '2026-04-01T09:00:00.000Z', { $set: { theme: 'system', tier: 'silver' } })]);
    const person = (await personOf(p.id, 'user-m'))!;
    expect(person.properties).toMatchObject({ theme: 'system', tier: 'silver' });
    await ingest(p, [pageview('anon-m', '2026-04-01T07:00:00.000Z', { $set: { theme: 'sepia' } })]);
    expect((await personOf(p.id, 'user-m'))!.properties.theme).toBe('system');
  });

  it('split: the kept person keeps its values and their times; the new persons take none', async () => {
    const p = await newProject();
    await ingestInOrder(p, [
      pageview('anon-s', '2026-05-01T10:00:00.000Z', { $set: { plan: 'pro' } }),
      ev('$identify', 'user-s', { $anon_distinct_id: 'anon-s' }, { timestamp: '2026-05-01T11:00:00.000Z' }),
    ]);
    const person = (await personOf(p.id, 'user-s'))!;
    const res = await api(`/api/projects/${p.id}/persons/${person.id}/split/`, {
      method: 'POST',
      json: { main_distinct_id: 'user-s' },
    });
    expect(res.status).toBe(201);
    const kept = await personJson(p.id, person.id);
    expect(kept.properties).toMatchObject({ plan: 'pro' });
    expect(kept.properties_last_updated_at).toEqual({ plan: '2026-05-01T10:00:00.000Z' });
    const split = (await personOf(p.id, 'anon-s'))!;
    expect(split.id).not.toBe(person.id);
    expect(await personJson(p.id, split.id)).toMatchObject({
      properties: {},
      properties_last_updated_at: {},
      properties_last_operation: {},
    });
    // The kept person still compares against its times after the split.
    await ingest(p, [pageview('user-s', '2026-05-01T09:00:00.000Z', { $set: { plan: 'free' } })]);
    expect((await personOf(p.id, 'user-s'))!.properties.plan).toBe('pro');
  });
});
