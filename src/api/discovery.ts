/**
 * The endpoints PostHog's clients (agent toolkit, MCP server, CLI) call before
 * anything else, in PostHog's shapes (posthog/api/user.py, personal_api_key.py,
 * organization.py, project.py): who am I, what may this key do, which
 * organization and projects are there.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { dbOf } from '../db/client';
import { listProjects, type Project } from '../db/projects';
import type { AppEnv } from '../env';
import {
  API_KEY_ID,
  API_KEY_SCOPES,
  ORGANIZATION_ID,
  ORGANIZATION_NAME,
  USER_UUID,
  teamPlacement,
} from './discovery-identity';
import { notFound } from './errors';
import { ProjectSchema, projectJson } from './projects';
import { ErrorSchema, jsonContent, validationHook } from './schemas';

/** Projects listed in an organization answer; the catalog holds few, this bounds the answer anyway. */
const MAX_LISTED_PROJECTS = 1_000;
/** PostHog's OrganizationMembership.Level.OWNER. */
const OWNER_LEVEL = 15;

const errors = {
  401: { description: 'Missing or wrong personal API key', content: jsonContent(ErrorSchema) },
  404: { description: 'Unknown organization', content: jsonContent(ErrorSchema) },
};

const TeamBasic = z
  .object({
    id: z.number().int(),
    uuid: z.string(),
    organization: z.string(),
    project_id: z.number().int(),
    api_token: z.string(),
    name: z.string(),
    timezone: z.string(),
    is_demo: z.boolean(),
  })
  .openapi('TeamBasic');

const teamBasicJson = (p: Project) => ({
  id: p.id,
  ...teamPlacement(p.id),
  api_token: p.apiToken,
  name: p.name,
  timezone: p.timezone,
  is_demo: false,
});

const OrganizationBasic = z
  .object({ id: z.string(), name: z.string(), slug: z.string(), membership_level: z.number().int() })
  .openapi('OrganizationBasic');

const Organization = OrganizationBasic.extend({
  created_at: z.string().nullable(),
  member_count: z.number().int(),
  teams: z.array(TeamBasic),
  projects: z.array(z.object({ id: z.number().int(), organization_id: z.string(), name: z.string() })),
}).openapi('Organization');

const organizationBasic = {
  id: ORGANIZATION_ID,
  name: ORGANIZATION_NAME,
  slug: 'posthog-edge-ingest',
  membership_level: OWNER_LEVEL,
};

function organizationJson(projects: Project[]) {
  return {
    ...organizationBasic,
    created_at: projects[0]?.createdAt ?? null,
    member_count: 1,
    teams: projects.map(teamBasicJson),
    projects: projects.map((p) => ({ id: p.id, organization_id: ORGANIZATION_ID, name: p.name })),
  };
}

const projectsOf = async (c: { env: AppEnv['Bindings'] }) =>
  (await listProjects(dbOf(c.env.DB))).slice(0, MAX_LISTED_PROJECTS);

/** `@current` (PostHog's alias for the user's organization) or the organization's id. */
const OrganizationParam = z.object({
  organization_id: z
    .string()
    .max(100)
    .openapi({ param: { name: 'organization_id', in: 'path' }, example: '@current' }),
});

function requireOrganization(id: string) {
  if (id !== '@current' && id.toLowerCase() !== ORGANIZATION_ID) throw notFound('Organization');
}

const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number().int(), next: z.null(), previous: z.null(), results: z.array(item) });
const list = <T>(results: T[]) => ({ count: results.length, next: null, previous: null, results });

export const discoveryRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/users/@me',
      tags: ['Discovery'],
      summary: 'The user behind the personal API key, with its organization and current project',
      responses: {
        200: {
          description: 'User',
          content: jsonContent(
            z.object({
              uuid: z.string(),
              distinct_id: z.string(),
              first_name: z.string(),
              last_name: z.string(),
              email: z.string(),
              is_staff: z.boolean(),
              team: TeamBasic.nullable(),
              organization: Organization,
              organizations: z.array(OrganizationBasic),
            }),
          ),
        },
        ...errors,
      },
    }),
    async (c) => {
      const projects = await projectsOf(c);
      const current = projects[0];
      return c.json(
        {
          uuid: USER_UUID,
          distinct_id: USER_UUID,
          first_name: 'Personal API key',
          last_name: '',
          email: '',
          is_staff: false,
          team: current ? teamBasicJson(current) : null,
          organization: organizationJson(projects),
          organizations: [organizationBasic],
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/personal_api_keys/@current',
      tags: ['Discovery'],
      summary: 'The personal API key in use and its scopes',
      responses: {
        200: {
          description: 'Key (without its value)',
          content: jsonContent(
            z.object({
              id: z.string(),
              label: z.string(),
              mask_value: z.string(),
              created_at: z.null(),
              last_used_at: z.null(),
              user_id: z.string(),
              scopes: z.array(z.string()),
              scoped_teams: z.array(z.number()),
              scoped_organizations: z.array(z.string()),
            }),
          ),
        },
        ...errors,
      },
    }),
    (c) =>
      c.json(
        {
          id: API_KEY_ID,
          label: 'PERSONAL_API_KEY',
          mask_value: 'phx_…',
          created_at: null,
          last_used_at: null,
          user_id: USER_UUID,
          scopes: API_KEY_SCOPES,
          scoped_teams: [],
          scoped_organizations: [],
        },
        200,
      ),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/organizations',
      tags: ['Discovery'],
      summary: 'The organization (one, holding every project)',
      responses: { 200: { description: 'Organizations', content: jsonContent(listOf(Organization)) }, ...errors },
    }),
    async (c) => c.json(list([organizationJson(await projectsOf(c))]), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{organization_id}',
      tags: ['Discovery'],
      summary: 'The organization',
      request: { params: OrganizationParam },
      responses: { 200: { description: 'Organization', content: jsonContent(Organization) }, ...errors },
    }),
    async (c) => {
      requireOrganization(c.req.valid('param').organization_id);
      return c.json(organizationJson(await projectsOf(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{organization_id}/projects',
      tags: ['Discovery'],
      summary: "The organization's projects",
      request: { params: OrganizationParam },
      responses: { 200: { description: 'Projects', content: jsonContent(listOf(ProjectSchema)) }, ...errors },
    }),
    async (c) => {
      requireOrganization(c.req.valid('param').organization_id);
      return c.json(list((await projectsOf(c)).map(projectJson)), 200);
    },
  );
