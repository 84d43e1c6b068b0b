/** Compared on `id.toLowerCase()`. */
const ILLEGAL_IGNORING_CASE = [
  'anonymous',
  'guest',
  'distinctid',
  'distinct_id',
  'id',
  'not_authenticated',
  'email',
  'undefined',
  'true',
  'false',
];

/**
 * The placeholder distinct ids posthog-js sends in cookieless mode (older SDKs:
 * the second), for the server to replace with a computed id. Never a person's id.
 */
const COOKIELESS_PLACEHOLDER_IDS: readonly string[] = ['$posthog_cookieless', '$sentinel_cookieless_server_hash'];

export const isCookielessPlaceholder = (id: unknown) =>
  typeof id === 'string' && COOKIELESS_PLACEHOLDER_IDS.includes(id);

/** Compared exactly. */
const ILLEGAL_EXACT = [
  '[object Object]',
  'NaN',
  'None',
  'none',
  'null',
  '0',
  'undefined',
  ...COOKIELESS_PLACEHOLDER_IDS,
];

const quoted = (ids: string[]) => ids.flatMap((id) => [id, `'${id}'`, `"${id}"`]);

const illegalIgnoringCase = new Set(quoted(ILLEGAL_IGNORING_CASE));
const illegalExact = new Set(quoted(ILLEGAL_EXACT));

/**
 * Spec §1 "Illegal ids": ids SDKs produce by mistake, which must never merge persons.
 * The lists are checked on the untrimmed id, so `" null"` is legal.
 */
export function isIllegalDistinctId(id: string): boolean {
  return id.trim() === '' || illegalExact.has(id) || illegalIgnoringCase.has(id.toLowerCase());
}
