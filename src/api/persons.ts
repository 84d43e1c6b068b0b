import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';

import { projectDb, projectReadDb } from '../db/shards';
import { deletePerson, splitPerson } from '../persons/admin';
import { getPerson, listPersons, personHistory, type HistoryEntry, type PersonView } from '../db/person-reads';
import type { AppEnv } from '../env';
import type { PropertyOperation, PropertyWrites } from '../identity';
import { PERSON_PROPERTY_OPERATORS, PersonPropertyFilterSchema } from '../schemas/property-filters';
import { badParameter, notFound } from './errors';
import { LimitParam, pageSchema, pageUrl } from './pagination';
import { conflictError, personBusy, scopedErrors } from './project-scope';
import { PersonUuid } from '../schemas/uuid';
import { ProjectIdParam, validationHook, jsonContent } from './schemas';

export const PersonSchema = z
  .object({
    type: z.literal('person'),
    id: z.string().openapi({ format: 'uuid' }),
    uuid: z.string().openapi({ format: 'uuid' }),
    distinct_ids: z.array(z.string()).openapi({ description: 'Oldest first.' }),
    properties: z.record(z.string(), z.unknown()),
    properties_last_updated_at: z.record(z.string(), z.string()).openapi({
      description:
        'Per property key, the (corrected) timestamp of the event whose write decided it, `$unset` keys included. ' +
        'Updates compare against it, so events arriving out of order leave the newest `$set` values ' +
        'and the earliest `$set_once` ones.',
    }),
    properties_last_operation: z.record(z.string(), z.enum(['set', 'set_once', 'unset'])).openapi({
      description:
        'Per property key, which kind of update decided it. ' +
        '`unset`: the key was removed and a `$set` older than its time will not bring it back.',
    }),
    is_identified: z.boolean(),
    created_at: z.string(),
  })
  .openapi('Person');

/** Keys with no entry hold values written before times were kept. */
function lastWrites(writes: PropertyWrites) {
  const updatedAt: Record<string, string> = {};
  const operation: Record<string, PropertyOperation> = {};
  for (const [key, w] of Object.entries(writes)) {
    Object.defineProperty(updatedAt, key, { value: w.t, enumerable: true, writable: true, configurable: true });
    Object.defineProperty(operation, key, { value: w.op, enumerable: true, writable: true, configurable: true });
  }
  return { properties_last_updated_at: updatedAt, properties_last_operation: operation };
}

export const personJson = (p: PersonView) => ({
  type: 'person' as const,
  id: p.id,
  uuid: p.id,
  distinct_ids: p.distinctIds,
  properties: p.properties,
  ...lastWrites(p.propertyWrites),
  is_identified: p.isIdentified,
  created_at: p.createdAt,
});

const PropertiesParam = z
  .string()
  .transform((text, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {key, value, operator}' });
      return z.NEVER;
    }
  })
  .pipe(z.array(PersonPropertyFilterSchema).max(20))
  .optional()
  .openapi({
    param: { name: 'properties', in: 'query' },
    type: 'string',
    description: `JSON array of {key, value, operator}; operators: ${PERSON_PROPERTY_OPERATORS.join(', ')}.`,
    example: '[{"key":"email","value":"@example.com","operator":"icontains"}]',
  });

const PersonsQuery = z.object({
  distinct_id: z
    .string()
    .min(1)
    .optional()
    .openapi({ param: { name: 'distinct_id', in: 'query' }, description: 'Exact distinct id.' }),
  search: z
    .string()
    .max(400)
    .optional()
    .openapi({
      param: { name: 'search', in: 'query' },
      description: 'Substring of a distinct id or of the email property (case-insensitive).',
    }),
  properties: PropertiesParam,
  limit: LimitParam,
  offset: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .openapi({ param: { name: 'offset', in: 'query' }, example: 0 }),
});

const PersonParams = ProjectIdParam.extend({
  uuid: PersonUuid.openapi({ param: { name: 'uuid', in: 'path' }, type: 'string', format: 'uuid' }),
});

const HistoryEntrySchema = z
  .object({
    kind: z.enum(['merge', 'identify', 'split']).or(z.string()),
    at: z.string(),
    event_uuid: z.string().nullable(),
    source_person_id: z.string(),
    target_person_id: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('PersonHistoryEntry');

const historyJson = (h: HistoryEntry) => ({
  kind: h.kind,
  at: h.at,
  event_uuid: h.eventUuid,
  source_person_id: h.sourcePersonId,
  target_person_id: h.targetPersonId,
  details: h.details,
});

export const personRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/persons',
      tags: ['Persons'],
      summary: 'List persons, newest first',
      request: { params: ProjectIdParam, query: PersonsQuery },
      responses: {
        200: {
          description: 'One page of persons',
          content: jsonContent(pageSchema(PersonSchema)),
        },
        ...scopedErrors,
      },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      const q = c.req.valid('query');
      const db = await projectReadDb(c.env, projectId);
      const filter = { distinctId: q.distinct_id, search: q.search, properties: q.properties };
      const rows = await listPersons(db, projectId, filter, q.limit + 1, q.offset);
      const more = rows.length > q.limit;
      return c.json(
        {
          results: rows.slice(0, q.limit).map(personJson),
          next: more ? pageUrl(c.req.url, { offset: q.offset + q.limit, limit: q.limit }) : null,
          previous:
            q.offset > 0 ? pageUrl(c.req.url, { offset: Math.max(0, q.offset - q.limit), limit: q.limit }) : null,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/persons/{uuid}',
      tags: ['Persons'],
      summary: 'Get a person',
      request: { params: PersonParams },
      responses: { 200: { description: 'The person', content: jsonContent(PersonSchema) }, ...scopedErrors },
    }),
    async (c) => {
      const { project_id: projectId, uuid } = c.req.valid('param');
      const db = await projectDb(c.env, projectId);
      const person = await getPerson(db, projectId, uuid);
      if (!person) throw notFound('Person');
      return c.json(personJson(person), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/{project_id}/persons/{uuid}',
      tags: ['Persons'],
      summary: 'Delete a person and its distinct ids',
      request: {
        params: PersonParams,
        query: z.object({
          delete_events: z
            .enum(['true', 'false', '1', '0'])
            .optional()
            .openapi({
              param: { name: 'delete_events', in: 'query' },
              description: 'Also delete the events of its distinct ids.',
            }),
        }),
      },
      responses: { 202: { description: 'Deleted' }, ...scopedErrors, ...conflictError },
    }),
    async (c) => {
      const { project_id: projectId, uuid } = c.req.valid('param');
      const deleteEvents = ['true', '1'].includes(c.req.valid('query').delete_events ?? 'false');
      const db = await projectDb(c.env, projectId);
      const outcome = await deletePerson(db, projectId, uuid, { deleteEvents });
      if (outcome === 'person_not_found') throw notFound('Person');
      if (outcome === 'busy') throw personBusy();
      return c.body(null, 202);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/{project_id}/persons/{uuid}/split',
      tags: ['Persons'],
      summary: 'Split a person: every distinct id but one gets a person of its own',
      request: {
        params: PersonParams,
        body: {
          required: false,
          content: jsonContent(
            z
              .object({
                main_distinct_id: z
                  .string()
                  .min(1)
                  .optional()
                  .openapi({ description: 'The distinct id that stays (default: the oldest).' }),
              })
              .openapi('SplitPerson'),
          ),
        },
      },
      responses: {
        201: { description: 'Split', content: jsonContent(z.object({ success: z.literal(true) })) },
        ...scopedErrors,
        ...conflictError,
      },
    }),
    async (c) => {
      const { project_id: projectId, uuid } = c.req.valid('param');
      const { main_distinct_id: main } = c.req.valid('json');
      const db = await projectDb(c.env, projectId);
      const outcome = await splitPerson(db, projectId, uuid, main);
      if (outcome === 'person_not_found') throw notFound('Person');
      if (outcome === 'unknown_main_distinct_id') {
        throw badParameter('main_distinct_id', 'main_distinct_id: is not one of the distinct ids of this person');
      }
      if (outcome === 'busy') throw personBusy();
      return c.json({ success: true as const }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/persons/{uuid}/history',
      tags: ['Persons'],
      summary: 'The merges, identifications and splits that shaped a person, oldest first',
      request: { params: PersonParams },
      responses: {
        200: { description: 'History', content: jsonContent(z.object({ results: z.array(HistoryEntrySchema) })) },
        ...scopedErrors,
      },
    }),
    async (c) => {
      const { project_id: projectId, uuid } = c.req.valid('param');
      const db = await projectReadDb(c.env, projectId);
      if (!(await getPerson(db, projectId, uuid))) throw notFound('Person');
      return c.json({ results: (await personHistory(db, projectId, uuid)).map(historyJson) }, 200);
    },
  );
