import { z } from '@hono/zod-openapi';

/** `limit`: default 100, at most 1000. */
export const LimitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(1000)
  .default(100)
  .openapi({ param: { name: 'limit', in: 'query' }, example: 100, description: 'Page size (1 to 1000, default 100).' });

/** A list response: one page of `item`s and absolute links to the next and previous pages (null at either end). */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ results: z.array(item), next: z.string().nullable(), previous: z.string().nullable() });

/** A keyset-paged list response: one page of `item`s and the absolute link to the next page (null at the end). */
export const cursorPageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ results: z.array(item), next: z.string().nullable() });

/** The request's own URL with some query parameters replaced (null removes one): absolute `next`/`previous` links. */
export function pageUrl(requestUrl: string, changes: Record<string, string | number | null>): string {
  const url = new URL(requestUrl);
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) url.searchParams.delete(name);
    else url.searchParams.set(name, String(value));
  }
  return url.toString();
}

const toBase64Url = (text: string) =>
  btoa(String.fromCharCode(...new TextEncoder().encode(text)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const fromBase64Url = (text: string) => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
};

/** An opaque keyset cursor: where the previous page stopped. */
export const encodeCursor = (position: readonly (string | number)[]) => toBase64Url(JSON.stringify(position));

/**
 * One keyset page from `limit + 1` rows: the first `limit`, and a `next` URL
 * whose cursor is the last row's position when there are more.
 */
export function cursorPage<Row>(
  rows: Row[],
  limit: number,
  requestUrl: string,
  positionOf: (row: Row) => readonly (string | number)[],
): { page: Row[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last ? pageUrl(requestUrl, { cursor: encodeCursor(positionOf(last)) }) : null;
  return { page, next };
}

/** The `cursor` query parameter: decodes to `position`, or fails validation (a 400 naming `cursor`). */
export function cursorParam<T extends z.ZodType>(position: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(fromBase64Url(text));
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not a cursor from a previous page' });
        return z.NEVER;
      }
    })
    .pipe(position)
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      type: 'string',
      description: 'Opaque cursor taken from `next`.',
    });
}

/** An ISO 8601 timestamp (or date) parameter, normalised to the stored `toISOString()` form. */
export function isoParam(name: string, description: string) {
  return z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/,
      'expected an ISO 8601 timestamp',
    )
    .refine((s) => !Number.isNaN(Date.parse(s)), 'expected a valid ISO 8601 timestamp')
    .transform((s) => new Date(s).toISOString())
    .optional()
    .openapi({
      param: { name, in: 'query' },
      type: 'string',
      format: 'date-time',
      description,
      example: '2024-01-01T00:00:00Z',
    });
}
