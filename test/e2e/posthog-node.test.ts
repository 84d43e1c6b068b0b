// posthog-node (the real package, version pinned by package-lock.json) sending to the service's
// root path, as a backend would.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, expectEventsOfPerson, expectPersonsFor } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';
import { nodeClient, type RecordedNodeClient } from './lib/node-sdk';

describe('posthog-node', () => {
  let ctx: SuiteContext;
  let sdk: RecordedNodeClient;
  const user = uniqueId('node-user');
  const legacy = uniqueId('legacy-id');
  const email = `${user}@example.com`;

  beforeAll(async () => {
    ctx = await freshProject('posthog-node');
    sdk = nodeClient(ctx.project.api_token, ctx.baseUrl);
  });
  afterAll(async () => {
    await sdk?.client.shutdown();
  });

  it('captures, identifies with $set/$set_once, aliases, then flush() and shutdown() deliver everything', async () => {
    const { client } = sdk;
    // An id the backend used before the account existed; its own (anonymous) person.
    client.capture({
      distinctId: legacy,
      event: 'legacy_login',
      properties: { $set: { legacy_plan: 'basic', plan: 'basic' } },
      uuid: randomUUID(),
    });
    await client.flush();

    client.capture({ distinctId: user, event: 'signed_up', properties: { source: 'api' }, uuid: randomUUID() });
    client.identify({
      distinctId: user,
      properties: { $set: { email, plan: 'free' }, $set_once: { first_channel: 'node' } },
    });
    client.identify({
      distinctId: user,
      properties: { $set: { plan: 'pro' }, $set_once: { first_channel: 'must not replace node' } },
    });
    client.alias({ distinctId: user, alias: legacy });
    client.capture({ distinctId: user, event: 'upgraded', properties: { to: 'pro' }, uuid: randomUUID() });
    await client.shutdown();

    expect(sdk.errors, 'errors posthog-node reported').toEqual([]);
    expect(
      sdk.requests.map((r) => ({ path: new URL(r.url).pathname, status: r.status, error: r.error })),
      'requests posthog-node made',
    ).toEqual(sdk.requests.map(() => ({ path: '/batch/', status: 200, error: undefined })));
    expect(
      sdk.requests.some((r) => r.contentEncoding === 'gzip'),
      'posthog-node sent gzip',
    ).toBe(true);
    expect(sdk.acceptedEvents().map((e) => `${e.event} from ${e.distinct_id}`)).toEqual([
      `legacy_login from ${legacy}`,
      `signed_up from ${user}`,
      `$identify from ${user}`,
      `$identify from ${user}`,
      `$create_alias from ${user}`,
      `upgraded from ${user}`,
    ]);
  });

  it('alias merged the legacy person into the user: one identified person with both ids', async () => {
    const [person] = await expectPersonsFor(ctx.api, user, [
      { distinct_ids: [legacy, user].sort(), is_identified: true },
    ]);
    const ofLegacy = await ctx.api.personsByDistinctId(legacy);
    expect(
      ofLegacy.map((p) => p.uuid),
      `person of ${legacy}`,
    ).toEqual([person!.uuid]);
    const all = await ctx.api.persons();
    expect(
      all.map((p) => p.uuid),
      'all persons in the project',
    ).toEqual([person!.uuid]);
  });

  it('properties: latest $set wins, first $set_once stays, the merged person keeps its own keys', async () => {
    await eventually(async () => {
      const [person] = await ctx.api.personsByDistinctId(user);
      expect(person?.properties, `properties of ${user}`).toMatchObject({
        email,
        plan: 'pro', // the user's own value wins over the merged legacy person's 'basic'
        first_channel: 'node',
        legacy_plan: 'basic',
      });
    });
  });

  it('every event is stored on the person, including the legacy id events from before the alias', async () => {
    const [person] = await ctx.api.personsByDistinctId(user);
    expect(person, `person for ${user}`).toBeDefined();
    await expectEventsOfPerson(ctx.api, person!.uuid, sdk.acceptedEvents());
    const fetched = await ctx.api.person(person!.uuid);
    expect(fetched.uuid).toBe(person!.uuid);
    expect(fetched.id).toBe(person!.uuid);
  });

  it('no ingestion warnings', async () => {
    expect(await ctx.api.warnings(), 'ingestion warnings').toEqual([]);
  });
});
