import { z } from '@hono/zod-openapi';

/**
 * Ids in paths are written one way only: digits, no sign, no leading zero, no
 * spaces, no hex or exponent (`0x1`, ` 1`, `1e0`, `01` are not project 1), and at
 * most a safe integer. PostHog answers an id it cannot read as a 404.
 */
const STRICT_ID = /^[1-9][0-9]{0,15}$/;

/** The id written in `text`, or undefined when it is not written strictly. */
export function parseStrictId(text: string | undefined): number | undefined {
  if (text === undefined || !STRICT_ID.test(text)) return undefined;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : undefined;
}

/** A positive id in a path, validated as `parseStrictId` reads it. */
export const StrictIdText = z
  .string()
  .regex(STRICT_ID, 'must be a positive integer written in digits (no sign, spaces or leading zeros)')
  .transform((text, ctx) => {
    const id = parseStrictId(text);
    if (id === undefined) {
      ctx.addIssue({ code: 'custom', message: 'is larger than the largest id' });
      return z.NEVER;
    }
    return id;
  });
