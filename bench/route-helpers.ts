// What the bench-only routes share: their 400 answer naming the field, and a body read as JSON.
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../src/env';

export const badRequest = (c: Context<AppEnv>, error: z.ZodError) => {
  const issue = error.issues[0];
  return c.json(
    {
      type: 'validation_error',
      code: 'invalid_input',
      detail: issue?.message ?? 'Invalid input.',
      attr: issue?.path.join('.'),
    },
    400,
  );
};

/** The body as JSON, or undefined when it is not JSON (so the schema names what is missing). */
export async function jsonOf(c: Context<AppEnv>): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}
