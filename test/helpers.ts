import { env, exports } from 'cloudflare:workers';
import { dbOf } from '../src/db/client';
import { createProject } from '../src/db/projects';

export const API_KEY = 'phx_test_key';
export const BASE = 'http://ingest.test';

export function fetchWorker(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export function api(path: string, init: RequestInit & { json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('Authorization')) headers.set('Authorization', `Bearer ${API_KEY}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(init.json);
  }
  return fetchWorker(path, { ...init, headers, body });
}

export interface ProjectJson {
  id: number;
  name: string;
  api_token: string;
  created_at: string;
}

export async function newProject(name = 'test project'): Promise<ProjectJson> {
  const res = await api('/api/projects/', { method: 'POST', json: { name } });
  if (res.status !== 201) throw new Error(`creating project: ${res.status} ${await res.text()}`);
  return res.json();
}

export { env };

/** A project placed on a chosen shard (REST creation picks the shard with the least data). */
export async function newProjectOnShard(shard: number, name = `shard ${shard} project`): Promise<ProjectJson & { shard: number }> {
  const p = await createProject(dbOf(env.DB), name, shard);
  return { id: p.id, name: p.name, api_token: p.apiToken, created_at: p.createdAt, shard: p.shard };
}
