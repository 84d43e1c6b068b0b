import { getProject } from '../db/projects';
import type { Db } from '../db/client';
import { ApiError, notFound } from './errors';
import { ErrorSchema } from './schemas';

/** 404 unless the project exists: every project-scoped read and write checks this first. */
export async function requireProject(db: Db, projectId: number): Promise<void> {
  if (!(await getProject(db, projectId))) throw notFound('Project');
}

/** Someone else kept changing the person while we tried to write it. */
export const personBusy = () =>
  new ApiError(409, {
    type: 'invalid_request',
    code: 'conflict',
    detail: 'The person is being changed by ingestion right now; retry the request.',
  });

const errorContent = { 'application/json': { schema: ErrorSchema } };

/** Error responses every project-scoped route documents. */
export const scopedErrors = {
  400: { description: 'Bad parameter (named in `attr`)', content: errorContent },
  401: { description: 'Missing or wrong personal API key', content: errorContent },
  404: { description: 'Unknown project (or person)', content: errorContent },
} as const;

export const conflictError = { 409: { description: 'The person kept changing; retry', content: errorContent } } as const;
