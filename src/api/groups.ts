import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { dbOf } from '../db/client';
import { findGroup, listGroups, type GroupView } from '../db/group-reads';
import { projectDb } from '../db/shards';
import type { AppEnv } from '../env';
import { MAX_GROUP_NAME_CHARS, MAX_GROUP_TYPES } from '../groups/rules';
import { listGroupTypes, updateGroupTypeNames, type GroupTypeRow } from '../groups/type-mapping';
import { notFound } from './errors';
import { LimitParam, cursorPage, cursorParam, pageSchema, pageUrl } from './pagination';
import { scopedErrors } from './project-scope';
import { ProjectIdParam, validationHook, jsonContent } from './schemas';

const GroupTypeSchema = z
  .object({
    group_type: z.string().openapi({ example: 'company' }),
    group_type_index: z
      .number()
      .int()
      .min(0)
      .max(MAX_GROUP_TYPES - 1),
    name_singular: z.string().nullable(),
    name_plural: z.string().nullable(),
    detail_dashboard: z.null().openapi({ description: 'Always null: dashboards live elsewhere.' }),
    default_columns: z.null(),
    created_at: z.string(),
  })
  .openapi('GroupType');

const groupTypeJson = (t: GroupTypeRow) => ({
  group_type: t.groupType,
  group_type_index: t.groupTypeIndex,
  name_singular: t.nameSingular,
  name_plural: t.namePlural,
  detail_dashboard: null,
  default_columns: null,
  created_at: t.createdAt,
});

const GroupSchema = z
  .object({
    group_type_index: z.number().int(),
    group_key: z.string(),
    group_properties: z.record(z.string(), z.unknown()),
    created_at: z.string(),
  })
  .openapi('Group');

const groupJson = (g: GroupView) => ({
  group_type_index: g.groupTypeIndex,
  group_key: g.groupKey,
  group_properties: g.properties,
  created_at: g.createdAt,
});

const GroupTypeIndex = z.coerce
  .number()
  .int()
  .min(0)
  .max(MAX_GROUP_TYPES - 1);
const GroupTypeIndexQuery = GroupTypeIndex.openapi({
  param: { name: 'group_type_index', in: 'query' },
  type: 'integer',
  example: 0,
  description: 'The group type (see groups_types/).',
});

const DisplayName = z.string().max(400).nullable().optional();
const GroupTypeNames = z.object({ name_singular: DisplayName, name_plural: DisplayName }).strict();

const namesOf = (body: z.infer<typeof GroupTypeNames>) => ({
  nameSingular: body.name_singular,
  namePlural: body.name_plural,
});

async function groupTypesJson(db: ReturnType<typeof dbOf>, projectId: number) {
  return (await listGroupTypes(db, projectId)).map(groupTypeJson);
}

export const groupRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/groups_types',
      tags: ['Groups'],
      summary: 'List group types, by index',
      request: { params: ProjectIdParam },
      responses: {
        200: { description: 'The group types', content: jsonContent(z.array(GroupTypeSchema)) },
        ...scopedErrors,
      },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      return c.json(await groupTypesJson(await projectDb(c.env, projectId), projectId), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/{project_id}/groups_types/update_metadata',
      tags: ['Groups'],
      summary: "Set group types' display names (PostHog's bulk form)",
      request: {
        params: ProjectIdParam,
        body: {
          content: jsonContent(
            z.array(GroupTypeNames.extend({ group_type_index: GroupTypeIndex })).max(MAX_GROUP_TYPES),
          ),
        },
      },
      responses: {
        200: { description: 'The group types', content: jsonContent(z.array(GroupTypeSchema)) },
        ...scopedErrors,
      },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      const db = await projectDb(c.env, projectId);
      const rows = c.req.valid('json');
      for (const row of rows) {
        if (!(await updateGroupTypeNames(db, projectId, row.group_type_index, namesOf(row))))
          throw notFound('Group type');
      }
      return c.json(await groupTypesJson(db, projectId), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/{project_id}/groups_types/{group_type_index}',
      tags: ['Groups'],
      summary: "Set a group type's display names",
      request: {
        params: ProjectIdParam.extend({
          group_type_index: GroupTypeIndex.openapi({
            param: { name: 'group_type_index', in: 'path' },
            type: 'integer',
          }),
        }),
        body: { content: jsonContent(GroupTypeNames) },
      },
      responses: { 200: { description: 'The group type', content: jsonContent(GroupTypeSchema) }, ...scopedErrors },
    }),
    async (c) => {
      const { project_id: projectId, group_type_index: index } = c.req.valid('param');
      const db = await projectDb(c.env, projectId);
      if (!(await updateGroupTypeNames(db, projectId, index, namesOf(c.req.valid('json')))))
        throw notFound('Group type');
      const types = await listGroupTypes(db, projectId);
      return c.json(groupTypeJson(types.find((t) => t.groupTypeIndex === index)!), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/groups',
      tags: ['Groups'],
      summary: 'List the groups of one type, newest first',
      request: {
        params: ProjectIdParam,
        query: z.object({
          group_type_index: GroupTypeIndexQuery,
          search: z
            .string()
            .max(400)
            .optional()
            .openapi({
              param: { name: 'search', in: 'query' },
              description: 'The group key (ignoring case), or text in its properties.',
            }),
          limit: LimitParam,
          cursor: cursorParam(z.tuple([z.string(), z.string()])),
        }),
      },
      responses: {
        200: {
          description: 'One page of groups',
          content: jsonContent(pageSchema(GroupSchema)),
        },
        ...scopedErrors,
      },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      const q = c.req.valid('query');
      const db = await projectDb(c.env, projectId);
      const cursor = q.cursor && { createdAt: q.cursor[0], groupKey: q.cursor[1] };
      const rows = await listGroups(
        db,
        projectId,
        { groupTypeIndex: q.group_type_index, search: q.search, cursor },
        q.limit + 1,
      );
      const { page, next } = cursorPage(rows, q.limit, c.req.url, (g) => [g.createdAt, g.groupKey]);
      return c.json(
        { results: page.map(groupJson), next, previous: q.cursor ? pageUrl(c.req.url, { cursor: null }) : null },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}/groups/find',
      tags: ['Groups'],
      summary: 'One group by type and key',
      request: {
        params: ProjectIdParam,
        query: z.object({
          group_type_index: GroupTypeIndexQuery,
          group_key: z
            .string()
            .min(1)
            .max(MAX_GROUP_NAME_CHARS)
            .openapi({ param: { name: 'group_key', in: 'query' }, example: 'acme' }),
        }),
      },
      responses: { 200: { description: 'The group', content: jsonContent(GroupSchema) }, ...scopedErrors },
    }),
    async (c) => {
      const { project_id: projectId } = c.req.valid('param');
      const q = c.req.valid('query');
      const group = await findGroup(await projectDb(c.env, projectId), projectId, q.group_type_index, q.group_key);
      if (!group) throw notFound('Group');
      return c.json(groupJson(group), 200);
    },
  );
