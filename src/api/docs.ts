import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { AppEnv } from '../env';
import { PersonPropertyFilterSchema } from '../schemas/property-filters';

/**
 * The reference's script: @scalar/api-reference's standalone bundle, from the Worker's assets
 * (scripts/build-assets.mjs).
 */
const REFERENCE_SCRIPT_PATH = '/api/docs/reference.js';
const REFERENCE_SCRIPT_ASSET = '/api-reference/standalone.js';

/**
 * Serves the OpenAPI document generated from the routes' zod schemas at
 * `/api/openapi.json` and an interactive reference at `/api/docs`. Both are
 * public; every documented route needs the personal API key. The page loads
 * nothing from another origin: its script comes from this Worker, and Scalar's
 * web fonts, telemetry and AI agent are off.
 */
export function mountDocs(api: OpenAPIHono<AppEnv>): void {
  api.openAPIRegistry.registerComponent('securitySchemes', 'PersonalApiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'The personal API key (Worker secret PERSONAL_API_KEY). Project tokens (phc_...) are refused.',
  });
  // `properties` travels as a JSON string; document the shape of its entries too.
  api.openAPIRegistry.register('PropertyFilter', PersonPropertyFilterSchema);
  api.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'PostHog-compatible ingestion: dashboard REST API',
      version: '1.0.0',
      description:
        'Projects, persons, events, ingestion warnings, groups, definitions, queries, saved insights and dashboards. Errors are `{type, code, detail, attr?}`.',
    },
    servers: [{ url: `${new URL(c.req.url).origin}/api` }],
    security: [{ PersonalApiKey: [] }],
  }));
  api.get(
    '/docs',
    Scalar({
      url: '/api/openapi.json',
      pageTitle: 'REST API reference',
      cdn: REFERENCE_SCRIPT_PATH,
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
    }),
  );
  api.get('/docs/reference.js', async (c) => {
    const asset = await c.env.ASSETS.fetch(new Request(new URL(REFERENCE_SCRIPT_ASSET, c.req.url)));
    if (asset.status !== 200)
      throw new Error(`asset ${REFERENCE_SCRIPT_ASSET} answered ${asset.status}; run scripts/build-assets.mjs`);
    const headers = new Headers(asset.headers);
    headers.set('Content-Type', 'application/javascript; charset=utf-8');
    headers.set('Cache-Control', 'public, max-age=3600');
    return new Response(asset.body, { headers });
  });
}
