import type { z } from 'zod';

/** A validation failure as one line for a page: each issue's field (`whole` when it is the whole value) and message. */
export const issuesText = (error: z.ZodError, whole: string) =>
  error.issues.map((i) => `${i.path.join('.') || whole}: ${i.message}`).join('; ');
