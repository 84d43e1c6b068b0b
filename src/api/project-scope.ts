import { createMiddleware } from 'hono/factory';
import { projectShard, UnknownProjectError } from '../db/shards';
import type { AppEnv } from '../env';
import { parseStrictId } from '../schemas/ids';
import { ApiError, notFound } from './errors';
import { ErrorSchema, jsonContent } from './schemas';

/** PostHog's alias for the key's own project; routes that support it resolve it themselves. */
const CURRENT_PROJECT = '@current';

/**
 * 404 unless the project exists, for everything under `/projects/:project_id/`.
 * An id not written strictly in digits (`0x1`, `%20 1`, `1e0`, `01`) is no
 * project, as in PostHog (which answers 404 for an id it cannot read).
 */
export const requireExistingProject = createMiddleware<AppEnv>(async (c, next) => {
  const param = c.req.param('project_id');
  if (param === CURRENT_PROJECT) return next();
  const projectId = parseStrictId(param);
  if (projectId === undefined) throw notFound('Project');
  // Also warms the project→shard cache the route is about to use.
  await projectShard(c.env, projectId).catch((error: unknown) => {
    throw error instanceof UnknownProjectError ? notFound('Project') : error;
  });
  await next();
});

/** Someone else kept changing the person while we tried to write it. */
export const personBusy = () =>
  new ApiError(409, {
    type: 'invalid_request',
    code: 'conflict',
    detail: 'The person is being changed by ingestion right now; retry the request.',
  });

const errorContent = jsonContent(ErrorSchema);

/** Error responses every project-scoped route documents. */
export const scopedErrors = {
  400: { description: 'Bad parameter (named in `attr`)', content: errorContent },
  401: { description: 'Missing or wrong personal API key', content: errorContent },
  429: { description: 'Too many wrong keys from this address; see `Retry-After`', content: errorContent },
  404: { description: 'Unknown project (or person)', content: errorContent },
} as const;

export const conflictError = {
  409: { description: 'The person kept changing; retry', content: errorContent },
} as const;
