import { z } from '@hono/zod-openapi';

/** A UUID in its text form (any version, either case). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A person's id as a request names it, lowercased as stored. */
export const PersonUuid = z
  .string()
  .regex(UUID, 'expected a person UUID')
  .transform((s) => s.toLowerCase());
