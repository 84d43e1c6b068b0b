import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { dbOf } from '../db/client';
import { createProject, getProject, listProjects, type Project } from '../db/projects';
import type { AppEnv } from '../env';
import { notFound } from './errors';
import { ErrorSchema, ProjectIdParam, validationHook } from './schemas';

export const ProjectSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    api_token: z.string().openapi({ example: 'phc_...' }),
    created_at: z.string(),
  })
  .openapi('Project');

const CreateProjectBody = z.object({ name: z.string().trim().min(1).max(200) }).openapi('CreateProject');

export const projectJson = (p: Project) => ({ id: p.id, name: p.name, api_token: p.apiToken, created_at: p.createdAt });

const errors = {
  400: { description: 'Bad parameter', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'Missing or wrong personal API key', content: { 'application/json': { schema: ErrorSchema } } },
};

export const projectRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Create a project',
      request: { body: { content: { 'application/json': { schema: CreateProjectBody } }, required: true } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: ProjectSchema } } }, ...errors },
    }),
    async (c) => {
      const { name } = c.req.valid('json');
      return c.json(projectJson(await createProject(dbOf(c.env.DB), name)), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: 'List projects',
      responses: {
        200: { description: 'Projects', content: { 'application/json': { schema: z.object({ results: z.array(ProjectSchema) }) } } },
        ...errors,
      },
    }),
    async (c) => c.json({ results: (await listProjects(dbOf(c.env.DB))).map(projectJson) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{project_id}',
      summary: 'Get a project',
      request: { params: ProjectIdParam },
      responses: {
        200: { description: 'Project', content: { 'application/json': { schema: ProjectSchema } } },
        404: { description: 'Unknown project', content: { 'application/json': { schema: ErrorSchema } } },
        ...errors,
      },
    }),
    async (c) => {
      const project = await getProject(dbOf(c.env.DB), c.req.valid('param').project_id);
      if (!project) throw notFound('Project');
      return c.json(projectJson(project), 200);
    },
  );
