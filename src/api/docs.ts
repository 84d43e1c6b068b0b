import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { AppEnv } from '../env';
import { PropertyFilterSchema } from './persons';

/**
 * Serves the OpenAPI document generated from the routes' zod schemas at
 * `/api/openapi.json` and an interactive reference at `/api/docs`. Both are
 * public; every documented route needs the personal API key.
 */
export function mountDocs(api: OpenAPIHono<AppEnv>): void {
  api.openAPIRegistry.registerComponent('securitySchemes', 'PersonalApiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The personal API key (Worker secret PERSONAL_API_KEY). Project tokens (phc_...) are refused.',
  });
  // `properties` travels as a JSON string; document the shape of its entries too.
  api.openAPIRegistry.register('PropertyFilter', PropertyFilterSchema);
  api.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'PostHog-compatible ingestion: dashboard REST API',
      version: '1.0.0',
      description: 'Projects, persons, events and ingestion warnings. Errors are `{type, code, detail, attr?}`.',
    },
    servers: [{ url: `${new URL(c.req.url).origin}/api` }],
    security: [{ PersonalApiKey: [] }],
  }));
  api.get('/docs', Scalar({ url: '/api/openapi.json', pageTitle: 'REST API reference' }));
}
