// The Worker under test and its bindings: requests into it, the REST API with the personal key,
// fresh projects, and each project's D1 shard (raw and through drizzle).
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { dbOf } from '../../src/db/client';
import { createProject } from '../../src/db/projects';
import { projectDb } from '../../src/db/shards';
import worker from '../../src/index';
import type { ProjectJson } from './rest-types';

export const API_KEY = 'phx_test_key';
export const BASE = 'http://ingest.test';
export { env };

/** The project's shard (its primary), through drizzle. The catalog is `env.DB`. */
export const dbFor = async (projectId: number) => await projectDb(env, projectId);

/**
 * A request into the Worker: its own fetch handler with the real bindings and an execution
 * context that is waited on, in this isolate (so `cf`, headers and fake Dates given by a test
 * reach it as they would from the edge). Not through the harness's `exports.default`: under
 * vitest-pool-workers 0.15 every call there wraps the entrypoint in one more Proxy, so each
 * call gets slower than the last (workers-sdk issues 15092 and 15446), and the test files
 * share a runtime.
 */
export async function fetchWorker(path: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

export interface ApiInit extends RequestInit {
  /** Sent as the JSON body. */
  json?: unknown;
  /** The bearer key (default the personal API key; null sends none). An `Authorization` header wins. */
  key?: string | null;
}

/** A REST call, with the personal API key unless told otherwise. */
export function api(path: string, { json, key = API_KEY, ...init }: ApiInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (key !== null && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${key}`);
  let body = init.body;
  if (json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(json);
  }
  return fetchWorker(path, { ...init, headers, body });
}

/** GET through the REST API, expecting `status`; the parsed JSON. */
export async function getJson<T = Record<string, unknown>>(path: string, status = 200): Promise<T> {
  const res = await api(path);
  const text = await res.text();
  if (res.status !== status) throw new Error(`GET ${path}: expected ${status}, got ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** Relative path + query of an absolute `next`/`previous` URL (the test worker answers any host). */
export const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** A new project (its own token and data), created through the REST API. */
export async function newProject(name = 'test project'): Promise<ProjectJson> {
  const res = await api('/api/projects/', { method: 'POST', json: { name } });
  if (res.status !== 201) throw new Error(`creating project: ${res.status} ${await res.text()}`);
  return res.json();
}

export type { ProjectJson };

/** A project placed on a chosen shard (REST creation picks the shard with the least data). */
export async function newProjectOnShard(
  shard: number,
  name = `shard ${shard} project`,
): Promise<ProjectJson & { shard: number }> {
  const p = await createProject(dbOf(env.DB), name, shard);
  return { id: p.id, name: p.name, api_token: p.apiToken, created_at: p.createdAt, shard: p.shard } as ProjectJson & {
    shard: number;
  };
}
