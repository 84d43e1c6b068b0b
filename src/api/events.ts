import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';

import { projectReadDb } from '../db/shards';
import { listEvents } from '../db/event-reads';
import type { AppEnv } from '../env';
import { EventSchema, eventJson } from '../schemas/events';
import { LimitParam, cursorPage, cursorPageSchema, cursorParam, isoParam } from './pagination';
import { scopedErrors } from './project-scope';
import { PersonUuid } from '../schemas/uuid';
import { ProjectIdParam, validationHook, jsonContent } from './schemas';

const EventsQuery = z.object({
  person_id: PersonUuid.optional().openapi({
    param: { name: 'person_id', in: 'query' },
    type: 'string',
    format: 'uuid',
    description: "Events of the person's current distinct ids.",
  }),
  distinct_id: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'distinct_id', in: 'query' } }),
  event: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'event', in: 'query' }, example: '$pageview' }),
  after: isoParam('after', 'Only events after this time (exclusive).'),
  before: isoParam('before', 'Only events before this time (exclusive).'),
  limit: LimitParam,
  cursor: cursorParam(z.tuple([z.string(), z.string()])),
});

export const eventRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
  createRoute({
    method: 'get',
    path: '/{project_id}/events',
    tags: ['Events'],
    summary: 'List events, newest first',
    request: { params: ProjectIdParam, query: EventsQuery },
    responses: {
      200: {
        description: 'One page of events',
        content: jsonContent(cursorPageSchema(EventSchema)),
      },
      ...scopedErrors,
    },
  }),
  async (c) => {
    const { project_id: projectId } = c.req.valid('param');
    const q = c.req.valid('query');
    const db = await projectReadDb(c.env, projectId);
    const filter = {
      personId: q.person_id,
      distinctId: q.distinct_id,
      event: q.event,
      after: q.after,
      before: q.before,
      cursor: q.cursor && { timestamp: q.cursor[0], uuid: q.cursor[1] },
    };
    const rows = await listEvents(db, projectId, filter, q.limit + 1);
    const { page, next } = cursorPage(rows, q.limit, c.req.url, (e) => [e.timestamp, e.uuid]);
    return c.json({ results: page.map(eventJson), next }, 200);
  },
);
