import { describe, expect, it } from 'vitest';
import { api, fetchWorker, newProject } from './support';

describe('REST auth', () => {
  const cases: [string, Record<string, string>][] = [
    ['no Authorization header', {}],
    ['a wrong key', { Authorization: 'Bearer phx_wrong' }],
    ['a non-bearer scheme', { Authorization: 'Basic cGh4X3Rlc3Rfa2V5' }],
    ['an empty bearer', { Authorization: 'Bearer ' }],
  ];
  for (const [name, headers] of cases) {
    it(`answers 401 in the documented shape for ${name}`, async () => {
      for (const [method, path] of [['GET', '/api/projects/'], ['GET', '/api/projects'], ['POST', '/api/projects'], ['POST', '/api/projects/'], ['GET', '/api/projects/1/']] as const) {
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
    expect(a).toMatchObject({ id: expect.any(Number), name: 'Shop', api_token: expect.stringMatching(/^phc_[A-Za-z0-9_-]{43}$/) });
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
      expect(await res.json()).toEqual(p);
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
    const res = await api('/api/projects/', { method: 'POST', body: '{nope', headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: expect.any(String) });
  });

  it('answers 400 naming project_id when it is not a number', async () => {
    const res = await api('/api/projects/abc/');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ attr: 'project_id' });
  });
});
