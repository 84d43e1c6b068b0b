import type { Context } from 'hono';

/** Why a capture request was refused. `code` is stable; `error` is for humans. */
export type CaptureErrorCode =
  | 'empty_payload'
  | 'invalid_json'
  | 'invalid_base64'
  | 'invalid_gzip'
  | 'invalid_lz64'
  | 'invalid_utf8'
  | 'invalid_payload'
  | 'empty_batch'
  | 'missing_event_name'
  | 'invalid_event_name'
  | 'missing_distinct_id'
  | 'invalid_distinct_id'
  | 'invalid_uuid'
  | 'invalid_event'
  | 'properties_too_deep'
  | 'invalid_token'
  | 'mixed_tokens'
  | 'no_token'
  | 'payload_too_large'
  | 'event_too_large'
  | 'too_many_events'
  | 'not_found'
  | 'unavailable'
  | 'internal_error';

type CaptureErrorStatus = 400 | 401 | 404 | 413 | 500 | 503;

export class CaptureError extends Error {
  constructor(
    readonly status: CaptureErrorStatus,
    readonly code: CaptureErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

export const badRequest = (code: CaptureErrorCode, message: string) => new CaptureError(400, code, message);

/** The capture error body: `{status, code, error}`. */
export function captureErrorResponse(c: Context, err: CaptureError): Response {
  return c.json(
    { status: err.status, code: err.code, error: redacted(err.message, c.env?.PERSONAL_API_KEY) },
    err.status,
  );
}

/** Messages may quote the request (event names, property keys), but never a personal API key. */
function redacted(message: string, personalApiKey: string | undefined): string {
  const out = personalApiKey ? message.split(personalApiKey).join('[redacted]') : message;
  return out.replace(/phx_[A-Za-z0-9_-]+/g, 'phx_[redacted]');
}
