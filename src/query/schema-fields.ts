/**
 * How the query schema treats each field, so no field is accepted and then
 * ignored: a field is implemented, display-only (PostHog's query runners do
 * not read it either; it shapes the chart, not the numbers), or refused with a
 * 400 naming it. A field PostHog does not define for that object is a 400 too.
 */
import { z } from '@hono/zod-openapi';
import { MAX_GROUP_TYPES } from '../groups/rules';

/** Any key an object does not define: a 400 at that key's path. */
const unknownField = z.unknown().superRefine((_, ctx) => {
  ctx.addIssue({ code: 'custom', message: 'is not a field of this object in PostHog’s query schema' });
});

/** An object whose every field is known: the others are 400s naming them. */
export const strictObject = <T extends z.ZodRawShape>(shape: T) => z.object(shape).catchall(unknownField);

/**
 * A field PostHog defines but this service does not compute: accepted only
 * absent, null, or at a value that changes nothing (`allowed`); otherwise a 400
 * with `reason`.
 */
export function refused(reason: string, allowed: (value: unknown) => boolean = () => false) {
  return z
    .unknown()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined || value === null || allowed(value)) return;
      ctx.addIssue({ code: 'custom', message: `not supported: ${reason}` });
    });
}

/** A field that only shapes how PostHog's app draws the answer (colours, legends, axes); the numbers ignore it. */
export const displayOnly = z.unknown().optional();

const isFalse = (v: unknown) => v === false;
const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;
const isEmptyObject = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length === 0;
export const ALLOW = { isFalse, isEmptyList, isEmptyObject };

/** A group type's index (src/groups/rules.ts). */
export const GroupTypeIndexSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_GROUP_TYPES - 1);

/** The fields every PostHog query node may carry that do not change its answer. */
export const NODE_BOOKKEEPING = {
  /** PostHog's schema version of the node. */
  version: z.number().nullable().optional(),
  /** A previous answer a client echoes back; never read. */
  response: displayOnly,
  /** Tags for PostHog's query log. */
  tags: displayOnly,
  /** The insight's colour theme. */
  dataColorTheme: displayOnly,
  modifiers: refused('HogQL modifiers (persons are always resolved as they are now)', isEmptyObject),
  samplingFactor: refused('sampling (every event is read)', (v) => v === 1),
};
