/** A query the endpoint refuses or could not finish; the route turns it into the REST API's error shape. */
export class QueryError extends Error {
  constructor(
    readonly status: 400 | 504,
    readonly code: string,
    readonly detail: string,
    readonly attr: string | null = null,
    /** Where in a HogQL text the error is (character offsets, end exclusive), as PostHog's HogQL errors. */
    readonly position?: { start: number; end: number },
  ) {
    super(detail);
  }

  static badField(attr: string, detail: string): QueryError {
    return new QueryError(400, 'invalid_input', detail, attr);
  }

  /** D1 stopped the query (its time limit): 504, and the Worker keeps serving. */
  static tooComplex(): QueryError {
    return new QueryError(
      400,
      'query_too_complex',
      'The query is too large for the database (too many filters or values); split it or use fewer filters.',
    );
  }

  static timedOut(): QueryError {
    return new QueryError(
      504,
      'query_timeout',
      'The query ran out of time in the database. Narrow the date range, add filters or use a coarser interval.',
    );
  }
}

/** SQLite's limits on one statement's size (bound variables, expression depth, pattern size). */
const TOO_COMPLEX = new RegExp(
  [
    'too many SQL variables',
    'too many terms',
    'Expression tree is too large',
    'pattern too complex',
    'string or blob too big',
    'parser stack overflow',
    'SQLITE_TOOBIG',
  ].join('|'),
  'i',
);

export function isTooComplexError(error: unknown): boolean {
  return (
    error instanceof Error && TOO_COMPLEX.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`)
  );
}

/** D1's messages for a statement stopped for time or by an interrupt. */
const TIME_LIMIT = /time ?limit|timed? ?out|exceeded|interrupt|too long|reset because its code was updated|overloaded/i;

export function isTimeLimitError(error: unknown): boolean {
  return (
    error instanceof Error && TIME_LIMIT.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`)
  );
}
