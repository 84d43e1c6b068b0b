// Saved insights over the REST API in PostHog's shapes: create, list (search, saved, favorited,
// short_id, paging), get with `refresh`, PATCH, soft delete, refusals with the query endpoint's 400.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, newProject, seedEvents } from '../support';
import { call, endpointResults, type Json, trendsSource, viz } from './saved-support';

// posthog/api/insight.py, InsightSerializer.Meta.fields (all but those tied to users and alerts).
const POSTHOG_INSIGHT_FIELDS = [
  'id',
  'short_id',
  'name',
  'derived_name',
  'filters',
  'query',
  'order',
  'deleted',
  'dashboards',
  'dashboard_tiles',
  'last_refresh',
  'cache_target_age',
  'next_allowed_client_refresh',
  'result',
  'hasMore',
  'columns',
  'created_at',
  'created_by',
  'description',
  'updated_at',
  'tags',
  'favorited',
  'saved',
  'last_modified_at',
  'last_modified_by',
  'is_sample',
  'effective_restriction_level',
  'effective_privilege_level',
  'timezone',
  'is_cached',
  'query_status',
  'hogql',
  'types',
];

let projectId: number;
let base: string;
let first: Json;

beforeAll(async () => {
  projectId = (await newProject('saved insights')).id;
  base = `/api/projects/${projectId}/insights`;
  await seedEvents(projectId, [
    { distinctId: 'a', event: 'signup', timestamp: '2024-05-02T10:00:00.000Z' },
    { distinctId: 'b', event: 'signup', timestamp: '2024-05-03T10:00:00.000Z' },
    { distinctId: 'a', event: 'purchase', timestamp: '2024-05-03T11:00:00.000Z' },
  ]);
});

describe('saved insights', () => {
  it('creates an insight from a query and answers in PostHog shape', async () => {
    const created = await call('POST', `${base}/`, { name: 'Signups', query: viz(trendsSource('signup')) }, 201);
    for (const field of POSTHOG_INSIGHT_FIELDS) expect(created, field).toHaveProperty(field);
    first = created;
    expect(created.short_id).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(created).toMatchObject({ name: 'Signups', description: '', filters: {}, dashboards: [], deleted: false });
    expect(created.query).toEqual(viz(trendsSource('signup')));
    // Saving ran the query (to refuse what the endpoint refuses) and keeps that answer as the result.
    expect(created.result).toEqual(await endpointResults(projectId, trendsSource('signup')));
    expect(Date.parse(created.last_refresh)).not.toBeNaN();
    const got = await call('GET', `${base}/${created.id}/`);
    expect(got).toMatchObject({ id: created.id, result: created.result, last_refresh: created.last_refresh });
    // The environments alias serves the same insight.
    expect((await call('GET', `/api/environments/${projectId}/insights/${created.id}/`)).id).toBe(created.id);
  });

  it('serves the answer computed at save time on the first read, without running the query again', async () => {
    const source = trendsSource('upgrade');
    await seedEvents(projectId, [{ distinctId: 'a', event: 'upgrade', timestamp: '2024-05-02T12:00:00.000Z' }]);
    const created = await call('POST', `${base}/`, { name: 'Upgrades', query: viz(source) }, 201);
    const atSave = await endpointResults(projectId, source);
    expect(created.result).toEqual(atSave);
    // Another upgrade after saving: a read that ran the query would count it.
    await seedEvents(projectId, [{ distinctId: 'b', event: 'upgrade', timestamp: '2024-05-03T12:00:00.000Z' }]);
    expect(await endpointResults(projectId, source)).not.toEqual(atSave);
    for (const refresh of ['', '?refresh=blocking']) {
      const got = await call('GET', `${base}/${created.id}/${refresh}`);
      expect(got, refresh).toMatchObject({ is_cached: true, last_refresh: created.last_refresh, result: atSave });
    }
    // A new query is checked and its answer kept the same way.
    const patched = await call('PATCH', `${base}/${created.id}/`, { query: viz(trendsSource('signup')) });
    expect(patched.result).toEqual(await endpointResults(projectId, trendsSource('signup')));
    expect(Date.parse(patched.last_refresh)).toBeGreaterThanOrEqual(Date.parse(created.last_refresh));
    expect((await call('GET', `${base}/${created.id}/`)).last_refresh).toBe(patched.last_refresh);
  });

  it('serves the cache on refresh=blocking while fresh; force_blocking recalculates', async () => {
    const source = trendsSource('purchase');
    const { id, last_refresh } = await call('POST', `${base}/`, { name: 'Purchases', query: viz(source) }, 201);
    const first = await call('GET', `${base}/${id}/?refresh=blocking`);
    expect(first).toMatchObject({ is_cached: true, last_refresh });
    expect(first.result).toEqual(await endpointResults(projectId, source));
    expect(Date.parse(first.cache_target_age) - Date.parse(first.last_refresh)).toBe(6 * 3600_000);

    const cached = await call('GET', `${base}/${id}/`);
    expect(cached).toMatchObject({ is_cached: true, last_refresh: first.last_refresh, result: first.result });

    await seedEvents(projectId, [{ distinctId: 'c', event: 'purchase', timestamp: '2024-05-04T09:00:00.000Z' }]);
    const model = await endpointResults(projectId, source);
    expect(model).not.toEqual(first.result);
    // Fresh within the day interval's six hours: blocking keeps the cached result.
    expect((await call('GET', `${base}/${id}/?refresh=blocking`)).result).toEqual(first.result);
    const forced = await call('GET', `${base}/${id}/?refresh=force_blocking`);
    expect(forced).toMatchObject({ is_cached: false, result: model });
    expect((await call('GET', `${base}/${id}/?refresh=true`)).result).toEqual(model);
    expect((await call('GET', `${base}/${id}/`)).result).toEqual(model);
  });

  it('drops the cached result when the query changes', async () => {
    const { id } = await call('POST', `${base}/`, { query: viz(trendsSource('signup')) }, 201);
    await call('GET', `${base}/${id}/?refresh=force_blocking`);
    const patched = await call('PATCH', `${base}/${id}/`, { query: viz(trendsSource('purchase')) });
    expect(patched.result).toEqual(await endpointResults(projectId, trendsSource('purchase')));
    expect(Date.parse(patched.last_modified_at)).toBeGreaterThanOrEqual(Date.parse(patched.created_at));
    const again = await call('GET', `${base}/${id}/?refresh=blocking`);
    expect(again.result).toEqual(await endpointResults(projectId, trendsSource('purchase')));
    // A name change keeps the result (the query that produced it is the same).
    await call('PATCH', `${base}/${id}/`, { name: 'Renamed' });
    expect((await call('GET', `${base}/${id}/`)).last_refresh).toBe(again.last_refresh);
  });

  it('refuses at save time what the query endpoint refuses, with the same message under query.source', async () => {
    const bad = trendsSource('signup', { series: [{ kind: 'EventsNode', event: 'x', math: 'nonsense' }] });
    const endpoint = await call('POST', `/api/projects/${projectId}/query/`, { query: bad }, 400);
    const saved = await call('POST', `${base}/`, { query: viz(bad) }, 400);
    expect(saved.attr).toBe(`query.source.${endpoint.attr.replace(/^query\./, '')}`);
    expect(saved.detail.replace(/^query\.source\./, '')).toBe(endpoint.detail.replace(/^query\./, ''));
    // A range too fine for its interval is refused by the compiler, not the schema: also at save time.
    const tooFine = trendsSource('signup', {
      interval: 'hour',
      dateRange: { date_from: '2020-01-01', date_to: '2024-01-01' },
    });
    const compiled = await call('POST', `/api/projects/${projectId}/query/`, { query: tooFine }, 400);
    expect((await call('POST', `${base}/`, { query: viz(tooFine) }, 400)).detail).toBe(compiled.detail);
    expect((await call('POST', `${base}/`, { query: { kind: 'InsightVizNode' } }, 400)).attr).toBe('query.source');
    // The wrapper's own fields are checked as the query endpoint checks them.
    const odd = { ...viz(trendsSource('a')), colour: 'red' };
    const endpointOdd = await call('POST', `/api/projects/${projectId}/query/`, { query: odd }, 400);
    expect(await call('POST', `${base}/`, { query: odd }, 400)).toEqual(endpointOdd);
    expect((await call('POST', `${base}/`, { query: viz(trendsSource('a')), color: 'red' }, 400)).detail).toMatch(
      /color/,
    );
    expect(
      (await call('POST', `${base}/`, { query: viz(trendsSource('a')), filters: { insight: 'TRENDS' } }, 400)).attr,
    ).toBe('filters');
    expect((await call('GET', `${base}/1/?refresh=sometimes`, undefined, 400)).attr).toBe('refresh');
    expect((await call('GET', `${base}/?colour=red`, undefined, 400)).attr).toBe('colour');
  });

  it('saves a SQL insight (DataVisualizationNode around a HogQLQuery) and runs it as the endpoint does', async () => {
    const source = { kind: 'HogQLQuery', query: 'select event, count() from events group by event order by event' };
    const query = { kind: 'DataVisualizationNode', source };
    const { id } = await call('POST', `${base}/`, { name: 'SQL', query }, 201);
    const got = await call('GET', `${base}/${id}/?refresh=blocking`);
    const endpoint = await call('POST', `/api/projects/${projectId}/query/`, { query: source });
    expect(got.result).toEqual(endpoint.results);
    expect(got.columns).toEqual(endpoint.columns);
  });

  it('lists with search, saved, favorited, short_id and limit/offset paging', async () => {
    const p = (await newProject('insight list')).id;
    const b = `/api/projects/${p}/insights`;
    const made: Json[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(
        await call(
          'POST',
          `${b}/`,
          {
            name: `Chart ${i}`,
            description: i === 3 ? 'about 100% of users' : '',
            query: viz(trendsSource('x')),
            favorited: i % 2 === 0,
            saved: i < 2,
          },
          201,
        ),
      );
    }
    const all = await call('GET', `${b}/?limit=2`);
    expect(all.count).toBe(5);
    expect(all.results.map((r: Json) => r.name)).toEqual(['Chart 4', 'Chart 3']);
    const next = new URL(all.next);
    const page2 = await call('GET', `${next.pathname}${next.search}`);
    expect(page2.results.map((r: Json) => r.name)).toEqual(['Chart 2', 'Chart 1']);
    expect(page2.previous).not.toBeNull();
    expect((await call('GET', `${b}/?search=chart%202`)).results.map((r: Json) => r.id)).toEqual([made[2]!.id]);
    // LIKE wildcards are literal.
    expect((await call('GET', `${b}/?search=100%25`)).results.map((r: Json) => r.id)).toEqual([made[3]!.id]);
    expect((await call('GET', `${b}/?search=_`)).count).toBe(0);
    expect((await call('GET', `${b}/?favorited=true`)).count).toBe(3);
    expect((await call('GET', `${b}/?saved=true`)).count).toBe(2);
    expect((await call('GET', `${b}/?short_id=${made[4]!.short_id}`)).results[0].id).toBe(made[4]!.id);
    await call('PATCH', `${b}/${made[0]!.id}/`, { deleted: true });
    expect((await call('GET', `${b}/`)).count).toBe(4);
    await call('GET', `${b}/${made[0]!.id}/`, undefined, 404);
    await call('PATCH', `${b}/${made[0]!.id}/`, { deleted: false });
    expect((await call('GET', `${b}/`)).count).toBe(5);
    expect((await call('DELETE', `${b}/${made[0]!.id}/`, undefined, 405)).detail).toMatch(/deleted/);
    // Another project's insight is not found here (ids are per shard: the same number may be another insight).
    const foreign = await api(`${b}/${first.id}/`);
    if (foreign.status !== 404) expect(((await foreign.json()) as Json).short_id).not.toBe(first.short_id);
  });
});
