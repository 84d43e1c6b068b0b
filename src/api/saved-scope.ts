/** What the insights and dashboards routes share: the project's result context, bounded JSON bodies, zod checks. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { dbOf } from '../db/client';
import { getProject } from '../db/projects';
import { projectDb } from '../db/shards';
import type { ResultContext } from '../dashboards/results';
import type { AppEnv } from '../env';
import { executionCtxOf } from '../http/context';
import type { QueryError } from '../query/errors';
import { ApiError, badParameter, notFound } from './errors';

const MAX_BODY_BYTES = 256 * 1024;

/** The project of `/projects/:project_id/…` (or `/environments/…`) and what results need. */
export async function resultContext(c: Context<AppEnv>): Promise<ResultContext> {
  const id = positiveId(c.req.param('project_id'), 'project_id');
  const project = await getProject(dbOf(c.env.DB), id);
  if (!project) throw notFound('Project');
  const ctx = executionCtxOf(c);
  return {
    env: c.env,
    project,
    db: await projectDb(c.env, id),
    now: Date.now(),
    waitUntil: (work) => (ctx ? ctx.waitUntil(work) : void work),
  };
}

export function positiveId(text: string | undefined, name: string): number {
  const n = Number(text);
  if (!text || !/^\d{1,15}$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw badParameter(name, `${name}: expected a positive integer, got ${JSON.stringify(text ?? '')}.`);
  return n;
}

/** The JSON body, at most 256 KiB, checked against `schema` (a 400 naming the first bad field). */
export async function jsonBody<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const text = await c.req.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES)
    throw badParameter('body', `The body is larger than ${MAX_BODY_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text === '' ? '{}' : text);
  } catch {
    throw badParameter('body', 'The body is not JSON.');
  }
  return checked(schema, parsed, 'body');
}

/** `value` checked against `schema`; a 400 naming the first bad field otherwise. */
export function checked<T extends z.ZodType>(schema: T, value: unknown, whole: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const attr = issue.path.length ? issue.path.join('.') : whole;
  const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')} is not supported)` : '';
  throw badParameter(attr, `${attr}: ${issue.message}${keys}`);
}

/** The query endpoint's error for a query it refuses or could not finish. */
export function queryApiError(error: QueryError): ApiError {
  return new ApiError(error.status, {
    type: error.status === 400 ? 'validation_error' : 'server_error',
    code: error.code,
    detail: error.detail,
    attr: error.attr,
  });
}

/** The query parameters, refusing any this route does not know (none is accepted and ignored). */
export function queryParams(c: Context<AppEnv>, known: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [name, value] of new URL(c.req.url).searchParams) {
    if (!known.includes(name))
      throw badParameter(name, `${name}: not a parameter of this route; known: ${known.join(', ')}.`);
    params[name] = value;
  }
  return params;
}

/** PostHog's LimitOffsetPagination: `{count, next, previous, results}`. */
export function offsetPage<T>(url: string, results: T[], count: number, limit: number, offset: number) {
  const link = (at: number) => {
    const u = new URL(url);
    u.searchParams.set('limit', String(limit));
    u.searchParams.set('offset', String(at));
    return u.toString();
  };
  const end = offset + results.length;
  return {
    count,
    next: end < count ? link(end) : null,
    previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
    results,
  };
}

export function pageParams(params: Record<string, string>, maxLimit: number) {
  const limit = params.limit === undefined ? maxLimit : positiveId(params.limit, 'limit');
  if (limit > maxLimit) throw badParameter('limit', `limit: at most ${maxLimit}.`);
  const offset = params.offset === undefined || params.offset === '0' ? 0 : positiveId(params.offset, 'offset');
  return { limit, offset };
}
