import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The REST API's one error shape: `{type, code, detail, attr?}`. */
interface ApiErrorBody {
  type: 'authentication_error' | 'validation_error' | 'invalid_request' | 'throttled_error' | 'server_error';
  code: string;
  detail: string;
  attr?: string | null;
  /** HogQL errors: the offending text's character offsets in the query (end exclusive). */
  start?: number;
  end?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: ApiErrorBody,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(body.detail);
  }
}

export const notFound = (what: string) =>
  new ApiError(404, { type: 'invalid_request', code: 'not_found', detail: `${what} not found.` });

export const badParameter = (attr: string, detail: string) =>
  new ApiError(400, { type: 'validation_error', code: 'invalid_input', detail, attr });

export function apiErrorResponse(c: Context, error: ApiError) {
  return c.json(error.body, error.status, error.headers);
}
