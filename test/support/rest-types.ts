// The REST API's JSON shapes, inferred from the zod schemas the routes validate and document
// with (so a test can never disagree with the API about a field), and its endpoints as the
// tests (workers pool and e2e) call them. Type-only imports: the e2e suite runs in plain Node.
import type { z } from '@hono/zod-openapi';
import type { EventSchema } from '../../src/schemas/events';
import type { PersonSchema } from '../../src/api/persons';
import type { ProjectSchema } from '../../src/api/projects';
import type { ErrorSchema } from '../../src/api/schemas';
import type { WarningSchema } from '../../src/api/warnings';

export type PersonJson = z.infer<typeof PersonSchema>;
export type EventJson = z.infer<typeof EventSchema>;
export type WarningJson = z.infer<typeof WarningSchema>;
export type ProjectJson = z.infer<typeof ProjectSchema>;
export type ErrorJson = z.infer<typeof ErrorSchema>;

/** A page of a list endpoint (events and warnings: keyset cursor in `next`). */
export interface PageJson<T> {
  results: T[];
  next: string | null;
}
/** A page of persons (offset pagination: `previous` too). */
export type PersonPageJson = PageJson<PersonJson> & { previous: string | null };

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
  ['POST', `/api/projects/${projectId}/query/`, { query: { kind: 'EventsQuery', select: ['event'] } }],
  ['POST', `/api/environments/${projectId}/query/`, { query: { kind: 'EventsQuery', select: ['event'] } }],
];
