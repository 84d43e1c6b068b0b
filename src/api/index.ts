import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { requirePersonalApiKey } from './auth';
import { dashboardRoutes } from './dashboards';
import { definitionRoutes } from './definitions';
import { discoveryRoutes } from './discovery';
import { mountDocs } from './docs';
import { eventRoutes } from './events';
import { groupRoutes } from './groups';
import { insightRoutes } from './insights';
import { personRoutes } from './persons';
import { requireExistingProject } from './project-scope';
import { documentSavedRoutes } from './saved-docs';
import { projectRoutes } from './projects';
import { queryRoutes } from './query';
import { validationHook } from './schemas';
import { warningRoutes } from './warnings';

/** The dashboard REST API, mounted at /api. */
export const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

api.use('/projects/*', requirePersonalApiKey);
api.use('/projects/:project_id/*', requireExistingProject);
api.use('/environments/*', requirePersonalApiKey);
api.use('/environments/:project_id/*', requireExistingProject);
for (const path of ['/users/*', '/personal_api_keys/*', '/organizations', '/organizations/*']) {
  api.use(path, requirePersonalApiKey);
}
api.route('/projects', projectRoutes);
api.route('/projects', personRoutes);
api.route('/projects', eventRoutes);
api.route('/projects', warningRoutes);
api.route('/projects', groupRoutes);
api.route('/projects', definitionRoutes);
// PostHog serves these under /api/environments/:id/ too (its environment-nested viewsets).
for (const routes of [projectRoutes, personRoutes, eventRoutes, warningRoutes, groupRoutes]) {
  api.route('/environments', routes);
}
api.route('/', queryRoutes);
api.route('/', discoveryRoutes);
api.route('/', insightRoutes);
api.route('/', dashboardRoutes);
// They check their own input (saved-schemas.ts): described to the document separately.
documentSavedRoutes(api.openAPIRegistry);

mountDocs(api);
