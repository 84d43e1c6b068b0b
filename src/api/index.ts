import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { requirePersonalApiKey } from './auth';
import { projectRoutes } from './projects';
import { validationHook } from './schemas';

/** The dashboard REST API, mounted at /api. */
export const api = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

api.use('/projects/*', requirePersonalApiKey);
api.use('/projects', requirePersonalApiKey);
api.route('/projects', projectRoutes);
