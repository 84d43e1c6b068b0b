import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';

import { projectReadDb } from '../db/shards';
import { listWarnings, type WarningView } from '../db/warning-reads';
import type { AppEnv } from '../env';
import { LimitParam, cursorPage, cursorPageSchema, cursorParam } from './pagination';
import { scopedErrors } from './project-scope';
import { ProjectIdParam, validationHook, jsonContent } from './schemas';

export const WarningSchema = z
  .object({
    type: z.string().openapi({ example: 'cannot_merge_already_identified' }),
    details: z.record(z.string(), z.unknown()),
    timestamp: z.string(),
    event_uuid: z.string().nullable(),
  })
  .openapi('IngestionWarning');

const warningJson = (w: WarningView) => ({
  type: w.type,
  details: w.details,
  timestamp: w.timestamp,
  event_uuid: w.eventUuid,
});

const WarningsQuery = z.object({
  type: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'type', in: 'query' }, example: 'cannot_merge_already_identified' }),
  limit: LimitParam,
  cursor: cursorParam(z.tuple([z.string(), z.number().int()])),
});

export const warningRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/{project_id}/ingestion_warnings',
    tags: ['Ingestion warnings'],
    summary: 'List ingestion warnings, newest first',
    request: { params: ProjectIdParam, query: WarningsQuery },
    responses: {
      200: {
        description: 'One page of warnings',
        content: jsonContent(cursorPageSchema(WarningSchema)),
      },
      ...scopedErrors,
    },
  }),
  async (c) => {
    const { project_id: projectId } = c.req.valid('param');
    const q = c.req.valid('query');
    const db = await projectReadDb(c.env, projectId);
    const cursor = q.cursor && { timestamp: q.cursor[0], id: q.cursor[1] };
    const rows = await listWarnings(db, projectId, { type: q.type, cursor }, q.limit + 1);
    const { page, next } = cursorPage(rows, q.limit, c.req.url, (w) => [w.timestamp, w.id]);
    return c.json({ results: page.map(warningJson), next }, 200);
  },
);
