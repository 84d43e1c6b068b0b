// Groups with the real SDKs: posthog-js `group()` in headless Chromium and posthog-node
// `groupIdentify` / `capture({ groups })`, checked through the groups REST API.
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { newVisitor, ph, visit } from './lib/browser';
import { eventually, waitForDelivery } from './lib/checks';
import { freshProject, uniqueId, type SuiteContext } from './lib/context';
import { siteAndBrowser } from './lib/browser-suite';
import { nodeClient } from './lib/node-sdk';
import type { Site } from './lib/site';

interface GroupType {
  group_type: string;
  group_type_index: number;
  name_singular: string | null;
  name_plural: string | null;
}
interface Group {
  group_type_index: number;
  group_key: string;
  group_properties: Record<string, unknown>;
  created_at: string;
}

const groupApi = (ctx: SuiteContext) => {
  const base = `/api/projects/${ctx.project.id}`;
  return {
    types: () => ctx.rest.request<GroupType[]>('GET', `${base}/groups_types/`),
    find: (index: number, key: string) =>
      ctx.rest.request<Group>(
        'GET',
        `${base}/groups/find/?group_type_index=${index}&group_key=${encodeURIComponent(key)}`,
      ),
    list: (index: number, search = '') =>
      ctx.rest.request<{ results: Group[] }>(
        'GET',
        `${base}/groups/?group_type_index=${index}&search=${encodeURIComponent(search)}`,
      ),
  };
};

describe('posthog-js group() in a real browser', () => {
  let ctx: SuiteContext;
  let site: Site;
  let browser: Browser;
  const user = uniqueId('b2b-user');
  const company = uniqueId('acme');

  siteAndBrowser('groups-js', { sdk: 'bundled' }, (s) => ({ ctx, site, browser } = s));

  it('identify, group("company", key, props), group("team", key), then events carry $groups', async () => {
    const visitor = await newVisitor(browser);
    const { page } = visitor;
    await visit(page, `${site.origin}/`);
    await ph(page, (p, u) => p.identify(u as string), user);
    await ph(page, (p, k) => p.group('company', k as string, { name: 'Acme Inc', plan: 'enterprise' }), company);
    await ph(page, (p) => p.group('team', 'platform'));
    await ph(page, (p) => p.capture('report_viewed', { report: 'usage' }));
    await waitForDelivery(
      site,
      [
        { event: '$groupidentify', distinct_id: user, properties: { $group_type: 'company', $group_key: company } },
        { event: '$groupidentify', distinct_id: user, properties: { $group_type: 'team', $group_key: 'platform' } },
        { event: 'report_viewed', distinct_id: user },
      ],
      { problems: [visitor.problems] },
    );
    const sent = site.acceptedEvents().find((e) => e.event === 'report_viewed')!;
    expect(sent.properties.$groups, 'posthog-js sends the $groups map').toEqual({ company, team: 'platform' });
    await visitor.context.close();
  });

  it('the group types are mapped in order of first appearance, and the company has its properties', async () => {
    const api = groupApi(ctx);
    await eventually(async () => {
      expect((await api.types()).map((t) => [t.group_type_index, t.group_type])).toEqual([
        [0, 'company'],
        [1, 'team'],
      ]);
    });
    await eventually(async () => {
      const group = await api.find(0, company);
      expect(group).toMatchObject({
        group_type_index: 0,
        group_key: company,
        group_properties: { name: 'Acme Inc', plan: 'enterprise' },
      });
    });
    expect((await api.list(0, 'acme inc')).results.map((g) => g.group_key)).toEqual([company]);
  });

  it('the event is stored with $group_0 and $group_1', async () => {
    await eventually(async () => {
      const [event] = await ctx.api.events({ event: 'report_viewed', distinct_id: user });
      expect(event?.properties, 'properties of report_viewed').toMatchObject({
        $group_0: company,
        $group_1: 'platform',
      });
    });
    expect(await ctx.api.warnings()).toEqual([]);
  });
});

describe('posthog-node groupIdentify and capture({ groups })', () => {
  let ctx: SuiteContext;
  const user = uniqueId('node-b2b');
  const org = uniqueId('org');

  beforeAll(async () => {
    ctx = await freshProject('groups-node');
  });

  it('groupIdentify creates and updates the group; captured events get $group_N', async () => {
    const sdk = nodeClient(ctx.project.api_token, ctx.baseUrl);
    const { client } = sdk;
    client.groupIdentify({ groupType: 'organization', groupKey: org, properties: { name: 'Org', seats: 5 } });
    await client.flush();
    client.groupIdentify({ groupType: 'organization', groupKey: org, properties: { seats: 12, tier: 'gold' } });
    client.capture({
      distinctId: user,
      event: 'invoice_paid',
      groups: { organization: org, workspace: 'ws-1' },
      uuid: randomUUID(),
    });
    await client.shutdown();
    expect(sdk.errors).toEqual([]);
    expect(sdk.acceptedEvents().map((e) => e.event)).toEqual(['$groupidentify', '$groupidentify', 'invoice_paid']);

    const api = groupApi(ctx);
    await eventually(async () => {
      expect(await api.find(0, org)).toMatchObject({ group_properties: { name: 'Org', seats: 12, tier: 'gold' } });
    });
    expect((await api.types()).map((t) => t.group_type)).toEqual(['organization', 'workspace']);
    await eventually(async () => {
      const [event] = await ctx.api.events({ event: 'invoice_paid' });
      expect(event?.properties).toMatchObject({
        $groups: { organization: org, workspace: 'ws-1' },
        $group_0: org,
        $group_1: 'ws-1',
      });
    });
    // posthog-node sends groupIdentify as the `$organization_<key>` distinct id (a person, as in PostHog).
    const [identify] = await ctx.api.events({ event: '$groupidentify' });
    expect(identify?.distinct_id).toBe(`$organization_${org}`);
  });

  it('the query endpoint counts the organization: unique_group broken down by a group property', async () => {
    const base = `/api/projects/${ctx.project.id}`;
    await eventually(async () => {
      const trends = await ctx.rest.request<{ results: { aggregated_value: number }[] }>('POST', `${base}/query/`, {
        query: {
          kind: 'TrendsQuery',
          series: [{ kind: 'EventsNode', event: 'invoice_paid', math: 'unique_group', math_group_type_index: 0 }],
          trendsFilter: { display: 'BoldNumber' },
          breakdownFilter: { breakdown: 'tier', breakdown_type: 'group', breakdown_group_type_index: 0 },
        },
      });
      expect(
        trends.results.map((r) => [(r as { breakdown_value?: string }).breakdown_value, r.aggregated_value]),
      ).toEqual([['gold', 1]]);
    });
  });

  it('display names are editable with PATCH', async () => {
    const base = `/api/projects/${ctx.project.id}`;
    await ctx.rest.request('PATCH', `${base}/groups_types/update_metadata/`, [
      { group_type_index: 0, name_singular: 'Organisation', name_plural: 'Organisations' },
    ]);
    const [first] = await groupApi(ctx).types();
    expect(first).toMatchObject({
      group_type: 'organization',
      name_singular: 'Organisation',
      name_plural: 'Organisations',
    });
  });
});
