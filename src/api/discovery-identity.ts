/**
 * Who and what PostHog's clients find when they look around before their first
 * call (`/api/users/@me/`, `/api/personal_api_keys/@current`, organizations):
 * this service has one organization holding every project and one user, the
 * holder of PERSONAL_API_KEY. Ids are fixed UUIDs so clients can keep them.
 */
import { v5 as uuidv5 } from 'uuid';

/** A fixed namespace for the UUIDs this module derives (random, chosen once). */
const NAMESPACE = 'a3c6f1e2-5b7d-4c1a-9e8f-2d4b6a8c0e13';

export const ORGANIZATION_ID = uuidv5('organization', NAMESPACE);
export const ORGANIZATION_NAME = 'PostHog edge ingest';
export const USER_UUID = uuidv5('user', NAMESPACE);
export const API_KEY_ID = uuidv5('personal-api-key', NAMESPACE);

/** A project's `uuid` (PostHog's team uuid), stable for its id. */
const projectUuidOf = (projectId: number) => uuidv5(`project:${projectId}`, NAMESPACE);

/**
 * The personal API key may do everything this service offers; in PostHog's
 * scope words (posthog/scopes.py), the objects that exist here. Listing them
 * rather than `*` keeps PostHog's agent toolkit and MCP from offering tools for
 * objects this service does not have (feature flags, experiments, surveys).
 */
export const API_KEY_SCOPES = [
  'query:read',
  'project:read',
  'project:write',
  'organization:read',
  'user:read',
  'event_definition:read',
  'property_definition:read',
  'person:read',
  'person:write',
  'group:read',
  'insight:read',
  'insight:write',
  'dashboard:read',
  'dashboard:write',
];

/** What every project (team) answer carries to place it in the organization. */
export const teamPlacement = (projectId: number) => ({
  uuid: projectUuidOf(projectId),
  organization: ORGANIZATION_ID,
  project_id: projectId,
});
