/** The REST API's JSON shapes and endpoints as the tests (workers pool and e2e) see them. */

export interface PersonJson {
  type: 'person';
  id: string;
  uuid: string;
  distinct_ids: string[];
  properties: Record<string, unknown>;
  properties_last_updated_at: Record<string, string>;
  properties_last_operation: Record<string, 'set' | 'set_once' | 'unset'>;
  is_identified: boolean;
  created_at: string;
}

export interface EventJson {
  id: string;
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  timestamp: string;
  person_id: string;
}

export type Call = [method: string, path: string, body?: unknown];

/** Every endpoint under one project, for one person uuid. */
export const projectEndpoints = (projectId: number | string, personId: string): Call[] => [
  ['GET', `/api/projects/${projectId}/persons/`],
  ['GET', `/api/projects/${projectId}/persons/${personId}/`],
  ['DELETE', `/api/projects/${projectId}/persons/${personId}/`],
  ['POST', `/api/projects/${projectId}/persons/${personId}/split/`, {}],
  ['GET', `/api/projects/${projectId}/persons/${personId}/history/`],
  ['GET', `/api/projects/${projectId}/events/`],
  ['GET', `/api/projects/${projectId}/ingestion_warnings/`],
];
