import {
  fetchWorker,
  api,
  at,
  getJson,
  newProject,
  seedEvents,
  seedHistory,
  seedPerson,
  seedWarnings,
  projectEndpoints,
  type Call,
} from '../support';
import { describe, expect, it } from 'vitest';

const endpoints = projectEndpoints;

const call = ([method, path, body]: Call, headers?: Record<string, string>) =>
  api(path, { method, headers, ...(body === undefined ? {} : { json: body }) });

describe('REST access', () => {
  it('answers 401 without the personal API key or with a project token, on every endpoint', async () => {
    const project = await newProject();
    const person = await seedPerson(project.id, { distinctIds: ['x'] });
    for (const [method, path, body] of endpoints(project.id, person)) {
      const bare = await fetchWorker(path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      expect(bare.status, `${method} ${path}`).toBe(401);
      expect(await bare.json()).toMatchObject({ type: 'authentication_error', code: 'invalid_personal_api_key' });
      const withToken = await call([method, path, body], { Authorization: `Bearer ${project.api_token}` });
      expect(withToken.status, `${method} ${path} with project token`).toBe(401);
    }
    expect((await api(`/api/projects/${project.id}/persons/${person}/`)).status).toBe(200);
  });

  it('answers 404 for an unknown project on every endpoint', async () => {
    const project = await newProject();
    const person = await seedPerson(project.id, { distinctIds: ['x'] });
    for (const endpoint of endpoints(999_999_999, person)) {
      const res = await call(endpoint);
      expect(res.status, endpoint.join(' ')).toBe(404);
      expect(await res.json()).toMatchObject({
        type: 'invalid_request',
        code: 'not_found',
        detail: 'Project not found.',
      });
    }
  });

  it('answers 404 when project_id is not a positive integer in digits (PostHog: an id it cannot read)', async () => {
    for (const id of ['abc', '0x1', '1e0', '01']) {
      for (const endpoint of endpoints(id, crypto.randomUUID())) {
        const res = await call(endpoint);
        expect(res.status, endpoint.join(' ')).toBe(404);
        expect(await res.json()).toMatchObject({ type: 'invalid_request', code: 'not_found' });
      }
    }
  });

  it("never shows or changes project B's data under project A's path", async () => {
    const a = await newProject('A');
    const b = await newProject('B');
    const mine = await seedPerson(a.id, { distinctIds: ['shared-id'] });
    const theirs = await seedPerson(b.id, { distinctIds: ['shared-id', 'b-only'], properties: { email: 'b@b.test' } });
    await seedHistory(b.id, {
      kind: 'identify',
      source: theirs,
      target: theirs,
      at: at(0),
      details: { distinct_ids_added: ['b-only'] },
    });
    await seedEvents(b.id, [
      { distinctId: 'shared-id', personIdAtIngest: theirs, timestamp: at(1) },
      { distinctId: 'b-only', personIdAtIngest: theirs, timestamp: at(2) },
    ]);
    await seedEvents(a.id, [{ distinctId: 'shared-id', personIdAtIngest: mine, timestamp: at(3) }]);
    await seedWarnings(b.id, [{ type: 'b_warning', timestamp: at(1) }]);

    for (const endpoint of endpoints(a.id, theirs).filter(([, path]) => path.includes(theirs))) {
      const res = await call(endpoint);
      expect(res.status, endpoint.join(' ')).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found', detail: 'Person not found.' });
    }
    const untouched = await getJson<{ distinct_ids: string[] }>(`/api/projects/${b.id}/persons/${theirs}/`);
    expect(untouched.distinct_ids).toEqual(['shared-id', 'b-only']);
    expect(
      (await getJson<{ results: unknown[] }>(`/api/projects/${b.id}/persons/${theirs}/history/`)).results,
    ).toHaveLength(1);

    const persons = await getJson<{ results: { id: string }[] }>(`/api/projects/${a.id}/persons/?search=b`);
    expect(persons.results).toEqual([]);
    const byDistinctId = await getJson<{ results: { id: string }[] }>(
      `/api/projects/${a.id}/persons/?distinct_id=shared-id`,
    );
    expect(byDistinctId.results.map((p) => p.id)).toEqual([mine]);

    const events = await getJson<{ results: { distinct_id: string; person_id: string }[] }>(
      `/api/projects/${a.id}/events/`,
    );
    expect(events.results.map((e) => [e.distinct_id, e.person_id])).toEqual([['shared-id', mine]]);
    const theirsUnderA = await getJson<{ results: unknown[] }>(`/api/projects/${a.id}/events/?person_id=${theirs}`);
    expect(theirsUnderA.results).toEqual([]);
    expect((await getJson<{ results: unknown[] }>(`/api/projects/${a.id}/ingestion_warnings/`)).results).toEqual([]);
    expect((await getJson<{ results: unknown[] }>(`/api/projects/${b.id}/ingestion_warnings/`)).results).toHaveLength(
      1,
    );
  });
});

describe('OpenAPI document and reference page', () => {
  it('serves /api/openapi.json without the key, generated from the route schemas', async () => {
    const res = await fetchWorker('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json<{
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      servers: { url: string }[];
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers[0]!.url).toBe('http://ingest.test/api');
    const projectPaths = [
      '/projects',
      '/projects/{project_id}',
      '/projects/{project_id}/persons',
      '/projects/{project_id}/persons/{uuid}',
      '/projects/{project_id}/persons/{uuid}/split',
      '/projects/{project_id}/persons/{uuid}/history',
      '/projects/{project_id}/events',
      '/projects/{project_id}/ingestion_warnings',
      '/projects/{project_id}/groups',
      '/projects/{project_id}/groups/find',
      '/projects/{project_id}/groups_types',
      '/projects/{project_id}/groups_types/update_metadata',
      '/projects/{project_id}/groups_types/{group_type_index}',
      '/projects/{project_id}/query',
      '/projects/{project_id}/insights',
      '/projects/{project_id}/insights/{insight_id}',
      '/projects/{project_id}/dashboards',
      '/projects/{project_id}/dashboards/{dashboard_id}',
      '/projects/{project_id}/dashboards/{dashboard_id}/sharing',
      '/projects/{project_id}/dashboards/{dashboard_id}/sharing/refresh',
    ];
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        ...projectPaths,
        // PostHog's /api/environments/:id/ aliases of the same routes.
        ...projectPaths.map((path) => path.replace('/projects', '/environments')),
        '/projects/{project_id}/event_definitions',
        '/projects/{project_id}/property_definitions',
        '/users/@me',
        '/personal_api_keys/@current',
        '/organizations',
        '/organizations/{organization_id}',
        '/organizations/{organization_id}/projects',
      ].sort(),
    );
    // The query endpoint documents every kind it answers.
    for (const kind of [
      'TrendsQuery',
      'FunnelsQuery',
      'RetentionQuery',
      'EventsQuery',
      'QueryRequest',
      'QueryResponse',
    ]) {
      expect(doc.components.schemas, kind).toHaveProperty(kind);
    }
    expect(Object.keys(doc.paths['/projects/{project_id}/persons/{uuid}']!).sort()).toEqual(['delete', 'get']);
    const params = (path: string, method = 'get') =>
      doc.paths[path]![method]!.parameters!.map((p) => `${p.in}:${p.name}`).sort();
    expect(params('/projects/{project_id}/persons')).toEqual(
      [
        'path:project_id',
        'query:distinct_id',
        'query:search',
        'query:properties',
        'query:limit',
        'query:offset',
      ].sort(),
    );
    expect(params('/projects/{project_id}/events')).toEqual(
      [
        'path:project_id',
        'query:person_id',
        'query:distinct_id',
        'query:event',
        'query:after',
        'query:before',
        'query:limit',
        'query:cursor',
      ].sort(),
    );
    expect(params('/projects/{project_id}/ingestion_warnings')).toEqual(
      ['path:project_id', 'query:type', 'query:limit', 'query:cursor'].sort(),
    );
    expect(params('/projects/{project_id}/persons/{uuid}', 'delete')).toEqual(
      ['path:project_id', 'path:uuid', 'query:delete_events'].sort(),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Person', 'Event', 'IngestionWarning', 'Error', 'Project', 'PropertyFilter']),
    );
    expect(doc.components.securitySchemes.PersonalApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves the interactive reference at /api/docs without the key', async () => {
    const res = await fetchWorker('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('/api/openapi.json');
  });

  it("loads the reference's script from this Worker, never from another origin", async () => {
    const html = await (await fetchWorker('/api/docs')).text();
    const sources = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(sources).toEqual(['/api/docs/reference.js']);
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetchWorker('/api/docs/reference.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^application\/javascript/);
    const text = await script.text();
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(text).toContain('createApiReference');
  });
});
