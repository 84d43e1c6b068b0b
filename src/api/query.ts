import { OpenAPIHono, createRoute, z, type Hook } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { dbOf } from '../db/client';
import { getProject } from '../db/projects';
import type { AppEnv } from '../env';
import { projectQueryContext } from '../query/context';
import { QueryError } from '../query/errors';
import { runQuery } from '../query/run';
import { QueryRequest, SUPPORTED_KINDS } from '../query/schema';
import { ApiError, badParameter, notFound } from './errors';
import { unwrapQuery } from './query-wrappers';
import { scopedErrors } from './project-scope';
import { ErrorSchema, ProjectIdParam, jsonContent } from './schemas';

const MAX_BODY_BYTES = 256 * 1024;
const MAX_DEPTH = 32;

const badBody = (detail: string) =>
  new ApiError(400, { type: 'validation_error', code: 'invalid_input', detail, attr: 'body' });

/** Deeper than any real query; keeps the recursive schema (nested property groups) far from the stack limit. */
function tooDeep(value: unknown): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) return true;
    if (v && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Reads and checks the JSON body before the schema sees it: size, syntax, depth. */
const boundedJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  const text = await c.req.text();
  if (new TextEncoder().encode(text).length > MAX_BODY_BYTES)
    throw badBody(`The body is larger than ${MAX_BODY_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badBody('The body is not JSON. Send {"query": {"kind": ...}}.');
  }
  if (tooDeep(parsed)) throw badBody(`The body nests deeper than ${MAX_DEPTH} levels.`);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !('query' in parsed)) {
    throw new ApiError(400, {
      type: 'validation_error',
      code: 'invalid_input',
      detail: 'query: required; send {"query": {"kind": ...}}.',
      attr: 'query',
    });
  }
  const unwrapped = unwrapQuery((parsed as { query: unknown }).query);
  if (!unwrapped.ok) {
    throw new ApiError(400, {
      type: 'validation_error',
      code: 'invalid_input',
      detail: unwrapped.detail,
      attr: unwrapped.attr,
    });
  }
  (parsed as { query: unknown }).query = unwrapped.query;
  const kind = unwrapped.query;
  const k = kind && typeof kind === 'object' ? (kind as { kind?: unknown }).kind : undefined;
  if (typeof k !== 'string' || !(SUPPORTED_KINDS as readonly string[]).includes(k)) {
    const kindText = JSON.stringify(k ?? null);
    throw new ApiError(400, {
      type: 'validation_error',
      code: 'unsupported_query_kind',
      detail: `Query kind ${kindText} is not supported. Supported kinds: ${SUPPORTED_KINDS.join(', ')}.`,
      attr: 'query.kind',
    });
  }
  // The validator reads the body again through Hono's cache (its json() parses the cached text).
  c.req.bodyCache.json = Promise.resolve(parsed);
  // Hono keeps promises there, whatever its type says.
  c.req.bodyCache.text = Promise.resolve(JSON.stringify(parsed)) as unknown as string;
  await next();
});

const QueryResponse = z
  .object({
    results: z
      .array(z.unknown())
      .openapi({ description: 'Per kind: trend series, funnel steps, retention cohorts or event rows.' }),
    columns: z.array(z.string()).optional(),
    types: z.array(z.string()).optional(),
    hasMore: z.boolean().optional(),
    is_cached: z.boolean(),
    last_refresh: z.string(),
    next_allowed_client_refresh: z.string().openapi({ description: 'Nothing is cached: equal to `last_refresh`.' }),
    cache_key: z.string().openapi({ description: 'Names the query (project, time zone, query).' }),
    timezone: z.string(),
    modifiers: z.record(z.string(), z.unknown()),
    timings: z.array(z.object({ k: z.string(), t: z.number() })),
  })
  .openapi('QueryResponse');

const queryRoute = (prefix: 'projects' | 'environments') =>
  createRoute({
    method: 'post',
    path: `/${prefix}/{project_id}/query`,
    tags: ['Query'],
    summary:
      prefix === 'projects'
        ? 'Run a query (TrendsQuery, FunnelsQuery, RetentionQuery, EventsQuery)'
        : 'Run a query (environments alias)',
    description:
      "PostHog's query endpoint. Persons are resolved as they are now: a visitor's anonymous events count " +
      "under the person they later identified as. Buckets use the project's timezone.",
    middleware: [boundedJsonBody] as const,
    request: {
      params: ProjectIdParam,
      body: { content: jsonContent(QueryRequest), required: true },
    },
    responses: {
      200: {
        description: 'The answer, shaped as PostHog answers the same query',
        content: jsonContent(QueryResponse),
      },
      ...scopedErrors,
      504: {
        description: 'The query ran out of time in D1 (`code: query_timeout`)',
        content: jsonContent(ErrorSchema),
      },
    },
  });

/**
 * Like the API's validation hook, but looks inside union failures (a property
 * list or group) for the deepest failing field, so `attr` names the field.
 */
const queryValidationHook: Hook<unknown, AppEnv, string, unknown> = (result, _c) => {
  if (result.success) return;
  const issue = deepestIssue(result.error.issues, []);
  const attr = issue.path.length ? issue.path.join('.') : 'body';
  throw badParameter(attr, `${attr}: ${issue.message}`);
};

interface FlatIssue {
  path: PropertyKey[];
  message: string;
}

export function deepestIssue(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[]): FlatIssue {
  let best: FlatIssue = { path: prefix, message: issues[0]?.message ?? 'invalid input' };
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const candidates: FlatIssue[] = [{ path, message: issue.message }];
    if (issue.code === 'invalid_union' && 'errors' in issue) {
      for (const branch of issue.errors) if (branch.length) candidates.push(deepestIssue(branch, path));
    }
    for (const candidate of candidates) if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

export const queryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: queryValidationHook });

for (const prefix of ['projects', 'environments'] as const) {
  queryRoutes.openapi(queryRoute(prefix), async (c) => {
    const { project_id: projectId } = c.req.valid('param');
    const { query } = c.req.valid('json');
    const project = await getProject(dbOf(c.env.DB), projectId);
    if (!project) throw notFound('Project');
    // Answers tolerate a little staleness: a read replica may serve them.
    const ctx = await projectQueryContext(c.env, project, 'replica');
    try {
      const result = await runQuery(ctx, query);
      return c.json(result as z.infer<typeof QueryResponse>, 200);
    } catch (error) {
      if (error instanceof QueryError) {
        throw new ApiError(error.status, {
          type: error.status === 400 ? 'validation_error' : 'server_error',
          code: error.code,
          detail: error.detail,
          attr: error.attr,
          ...error.position,
        });
      }
      throw error;
    }
  });
}
