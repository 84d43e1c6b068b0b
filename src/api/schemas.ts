import { z } from '@hono/zod-openapi';
import type { Hook } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { StrictIdText } from '../schemas/ids';
import { badParameter } from './errors';

/** A JSON body of this schema, as a route's request or response `content`. */
export const jsonContent = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

export const ErrorSchema = z
  .object({
    type: z.string(),
    code: z.string(),
    detail: z.string(),
    attr: z.string().nullable().optional(),
  })
  .openapi('Error');

export const ProjectIdParam = z.object({
  project_id: StrictIdText.openapi({
    param: { name: 'project_id', in: 'path' },
    type: 'integer',
    example: 1,
  }),
});

/** Turns a zod failure into a 400 naming the first bad field (`attr`). */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const issue = result.error.issues[0];
  const attr = issue?.path.length ? issue.path.join('.') : (result.target ?? 'body');
  throw badParameter(String(attr), `${attr}: ${issue?.message ?? 'invalid input'}`);
};
