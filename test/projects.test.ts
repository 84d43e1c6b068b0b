import { describe, expect, it } from 'vitest';
import { api, fetchWorker, newProject } from './support';

/** GET /api/projects/:id/ of a project with no data yet (test/db/storage.test.ts checks the figures). */
const EMPTY_STORAGE = {
  events: 0,
  persons: 0,
  bytes: 0,
  shard: expect.any(Number),
  shard_bytes: expect.any(Number),
  shard_limit_bytes: 10_000_000_000,
  shard_fill: expect.any(Number),
};

describe('REST auth', () => {
  const cases: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a wrong key', { Authorization: 'Bearer phx_wrong' }],
    ['a non-bearer scheme', { Authorization: 'Basic cGh4X3Rlc3Rfa2V5' }],
    ['an empty bearer', { Authorization: 'Bearer ' }],
  ];
  for (const [name, headers] of cases) {
    it(`answers 401 in the documented shape for ${name}`, async () => {
      for (const [method, path] of [
        ['GET', '/api/projects/'],
        ['GET', '/api/projects'],
        ['POST', '/api/projects'],
        ['POST', '/api/projects/'],
        ['GET', '/api/projects/1/'],
      ] as const) {
        const res = await fetchWorker(path, { method, headers, body: method === 'POST' ? '{"name":"x"}' : undefined });
        expect(res.status, `${method} ${path}`).toBe(401);
        const body = await res.json<Record<string, string>>();
        expect(body.type).toBe('authentication_error');
        expect(body.code).toBe('invalid_personal_api_key');
        expect(body.detail).toEqual(expect.any(String));
      }
    });
  }

  it('never accepts a project token as the personal key', async () => {
    const project = await newProject();
    const res = await fetchWorker('/api/projects/', { headers: { Authorization: `Bearer ${project.api_token}` } });
    expect(res.status).toBe(401);
  });
});

describe('projects', () => {
  it('creates a project with a random phc_ token', async () => {
    const res = await api('/api/projects/', { method: 'POST', json: { name: 'Shop' } });
    expect(res.status).toBe(201);
    const a = await res.json<Record<string, unknown>>();
    expect(a).toMatchObject({
      id: expect.any(Number),
      name: 'Shop',
      api_token: expect.stringMatching(/^phc_[A-Za-z0-9]{43}$/),
    });
    expect(new Date(a.created_at as string).toISOString()).toBe(a.created_at);
    const b = await newProject('Shop');
    expect(b.api_token).not.toBe(a.api_token);
    expect(b.id).not.toBe(a.id);
  });

  it('lists and gets projects, with and without trailing slash', async () => {
    const p = await newProject('Listed');
    const list = await (await api('/api/projects')).json<{ results: { id: number }[] }>();
    expect(list.results.map((r) => r.id)).toContain(p.id);
    for (const path of [`/api/projects/${p.id}/`, `/api/projects/${p.id}`]) {
      const res = await api(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ...p, storage: EMPTY_STORAGE });
    }
  });

  it('answers 404 for an unknown project', async () => {
    const res = await api('/api/projects/999999/');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'invalid_request', code: 'not_found' });
  });

  it('answers 400 naming the bad field', async () => {
    for (const json of [{}, { name: '' }, { name: 42 }, { name: '   ' }]) {
      const res = await api('/api/projects/', { method: 'POST', json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'validation_error', attr: 'name' });
    }
  });

  it('answers 400 for a body that is not JSON', async () => {
    const res = await api('/api/projects/', {
      method: 'POST',
      body: '{nope',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: expect.any(String) });
  });

  it('answers 404 when project_id is not a number written in digits (as PostHog)', async () => {
    for (const id of ['abc', '0x1', '1e0', '01', '%201']) {
      const res = await api(`/api/projects/${id}/`);
      expect(res.status, id).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
  });
});

describe('project settings', () => {
  const patch = (id: number, json: unknown) => api(`/api/projects/${id}/`, { method: 'PATCH', json });

  it('new projects start with PostHog-like defaults', async () => {
    const project = await newProject('Defaults');
    expect(project).toMatchObject({
      timezone: 'UTC',
      anonymize_ips: false,
      drop_events_older_than_seconds: null,
      cookieless_server_hash_mode: 'stateless',
      event_retention_days: null,
    });
  });

  it('PATCH changes only the fields sent, and GET shows them', async () => {
    const project = await newProject('Patched');
    const res = await patch(project.id, {
      timezone: 'Europe/Berlin',
      anonymize_ips: true,
      drop_events_older_than_seconds: 86_400,
    });
    expect(res.status).toBe(200);
    const expected = {
      ...project,
      timezone: 'Europe/Berlin',
      anonymize_ips: true,
      drop_events_older_than_seconds: 86_400,
    };
    expect(await res.json()).toEqual(expected);
    expect(await (await api(`/api/projects/${project.id}`)).json()).toEqual({ ...expected, storage: EMPTY_STORAGE });

    const renamed = await (
      await patch(project.id, { name: 'Renamed', event_retention_days: 30, drop_events_older_than_seconds: null })
    ).json();
    expect(renamed).toEqual({
      ...expected,
      name: 'Renamed',
      event_retention_days: 30,
      drop_events_older_than_seconds: null,
    });
  });

  it("accepts PostHog's numeric cookieless modes and ignores settings it does not know", async () => {
    const project = await newProject('Cookieless');
    for (const [sent, stored] of [
      [0, 'disabled'],
      [2, 'stateful'],
      ['stateless', 'stateless'],
    ] as const) {
      const res = await patch(project.id, { cookieless_server_hash_mode: sent, session_recording_opt_in: true });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ cookieless_server_hash_mode: stored });
    }
  });

  it('answers 400 naming the bad setting, and changes nothing', async () => {
    const project = await newProject('Strict');
    const bad: [unknown, string][] = [
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ timezone: 42 }, 'timezone'],
      [{ anonymize_ips: 'yes' }, 'anonymize_ips'],
      [{ drop_events_older_than_seconds: -5 }, 'drop_events_older_than_seconds'],
      [{ drop_events_older_than_seconds: 1.5 }, 'drop_events_older_than_seconds'],
      [{ cookieless_server_hash_mode: 'sometimes' }, 'cookieless_server_hash_mode'],
      [{ cookieless_server_hash_mode: 3 }, 'cookieless_server_hash_mode'],
      [{ event_retention_days: 0 }, 'event_retention_days'],
      [{ name: '' }, 'name'],
    ];
    for (const [json, attr] of bad) {
      const res = await patch(project.id, json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'validation_error', attr });
    }
    expect(await (await api(`/api/projects/${project.id}/`)).json()).toEqual({ ...project, storage: EMPTY_STORAGE });
  });

  it('answers 404 for an unknown project and 401 without the key', async () => {
    expect((await patch(999_999, { name: 'x' })).status).toBe(404);
    const project = await newProject('Locked');
    const res = await fetchWorker(`/api/projects/${project.id}/`, { method: 'PATCH', body: '{"name":"x"}' });
    expect(res.status).toBe(401);
  });
});
