import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { dbOf } from '../db/client';
import { createPlacedProject } from '../db/shards';
import { projectStorage, type ProjectStorage } from '../db/storage';
import { forgetCachedProject } from '../projects/cache';
import { getProject, listProjects, updateProjectSettings, type Project } from '../db/projects';
import type { AppEnv } from '../env';
import { COOKIELESS_MODES, CreateProjectBody, settingsOfBody, UpdateProjectBody } from '../schemas/projects';
import { teamPlacement } from './discovery-identity';
import { notFound } from './errors';
import { ErrorSchema, ProjectIdParam, validationHook, jsonContent } from './schemas';

export const ProjectSchema = z
  .object({
    id: z.number().int(),
    uuid: z.string().openapi({ description: "PostHog's team uuid (stable for the id)." }),
    organization: z.string().openapi({ description: 'The one organization (GET /api/organizations/).' }),
    project_id: z.number().int().openapi({ description: 'Equal to `id` (PostHog: the project of this environment).' }),
    name: z.string(),
    api_token: z.string().openapi({ example: 'phc_...' }),
    created_at: z.string(),
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    anonymize_ips: z.boolean(),
    drop_events_older_than_seconds: z.number().int().nullable(),
    cookieless_server_hash_mode: z.enum(COOKIELESS_MODES),
    event_retention_days: z.number().int().nullable(),
  })
  .openapi('Project');

const StorageSchema = z
  .object({
    events: z.number().int(),
    persons: z.number().int(),
    bytes: z.number().int().openapi({ description: "The project's stored rows in bytes (without index overhead)." }),
    shard: z.number().int().openapi({ description: 'The D1 shard (binding SHARD_<n>) holding the project.' }),
    shard_bytes: z.number().int().openapi({ description: "The shard's size." }),
    shard_limit_bytes: z.number().int(),
    shard_fill: z
      .number()
      .openapi({ description: 'shard_bytes / shard_limit_bytes; past 0.8 a shard_nearly_full warning is raised.' }),
  })
  .openapi('ProjectStorage');

const ProjectWithStorageSchema = ProjectSchema.extend({ storage: StorageSchema }).openapi('ProjectWithStorage');

const storageJson = (s: ProjectStorage) => ({
  events: s.events,
  persons: s.persons,
  bytes: s.bytes,
  shard: s.shard.shard,
  shard_bytes: s.shard.bytes,
  shard_limit_bytes: s.shard.limitBytes,
  shard_fill: s.shard.fill,
});

export const projectJson = (p: Project) => ({
  id: p.id,
  ...teamPlacement(p.id),
  name: p.name,
  api_token: p.apiToken,
  created_at: p.createdAt,
  timezone: p.timezone,
  anonymize_ips: p.anonymizeIps,
  drop_events_older_than_seconds: p.dropEventsOlderThanSeconds,
  cookieless_server_hash_mode: p.cookielessServerHashMode,
  event_retention_days: p.eventRetentionDays,
});

const errors = {
  400: { description: 'Bad parameter', content: jsonContent(ErrorSchema) },
  401: { description: 'Missing or wrong personal API key', content: jsonContent(ErrorSchema) },
};

export const projectRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Create a project',
      request: { body: { content: jsonContent(CreateProjectBody), required: true } },
      responses: {
        201: { description: 'Created', content: jsonContent(ProjectSchema) },
        ...errors,
      },
    }),
    async (c) => {
      const { name } = c.req.valid('json');
      return c.json(projectJson(await createPlacedProject(c.env, name)), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'List projects',
      responses: {
        200: {
          description: 'Projects',
          content: jsonContent(z.object({ results: z.array(ProjectSchema) })),
        },
        ...errors,
      },
    }),
    async (c) => c.json({ results: (await listProjects(dbOf(c.env.DB))).map(projectJson) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}',
      summary: 'Get a project, with what it stores and how full its shard is',
      request: { params: ProjectIdParam },
      responses: {
        200: { description: 'Project', content: jsonContent(ProjectWithStorageSchema) },
        404: { description: 'Unknown project', content: jsonContent(ErrorSchema) },
        ...errors,
      },
    }),
    async (c) => {
      const project = await getProject(dbOf(c.env.DB), c.req.valid('param').project_id);
      if (!project) throw notFound('Project');
      return c.json({ ...projectJson(project), storage: storageJson(await projectStorage(c.env, project.id)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/{project_id}',
      summary: 'Change project settings',
      request: {
        params: ProjectIdParam,
        body: { content: jsonContent(UpdateProjectBody), required: true },
      },
      responses: {
        200: { description: 'Project', content: jsonContent(ProjectSchema) },
        404: { description: 'Unknown project', content: jsonContent(ErrorSchema) },
        ...errors,
      },
    }),
    async (c) => {
      const { project_id } = c.req.valid('param');
      const body = c.req.valid('json');
      const project = await updateProjectSettings(dbOf(c.env.DB), project_id, settingsOfBody(body));
      if (!project) throw notFound('Project');
      forgetCachedProject(project_id);
      return c.json(projectJson(project), 200);
    },
  );
