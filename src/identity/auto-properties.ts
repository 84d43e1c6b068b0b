/**
 * The person properties PostHog's ingestion sets from an event's own
 * properties (its `personInitialAndUTMProperties` and GeoIP transformation):
 * the latest values as `$set`, the first-touch values as `$set_once`
 * `$initial_*`. Explicit `$set` / `$set_once` of the event win (the caller
 * spreads them over these).
 */

/** PostHog's EVENT_TO_PERSON_PROPERTIES (nodejs/src/common/persons/person-property-utils.ts), in its order. */
export const EVENT_TO_PERSON_PROPERTIES = [
  // mobile
  '$app_build',
  '$app_name',
  '$app_namespace',
  '$app_version',
  // web
  '$browser',
  '$browser_version',
  '$device_type',
  '$current_url',
  '$pathname',
  '$os',
  '$os_name',
  '$os_version',
  '$referring_domain',
  '$referrer',
  '$screen_height',
  '$screen_width',
  '$viewport_height',
  '$viewport_width',
  '$raw_user_agent',
] as const;

/** PostHog's CAMPAIGN_PROPERTIES: UTM parameters and ad click ids. */
export const CAMPAIGN_PROPERTIES = [
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_name',
  'utm_term',
  'gclid',
  'gad_source',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'fbclid',
  'msclkid',
  'twclid',
  'li_fat_id',
  'mc_cid',
  'igshid',
  'ttclid',
  'rdt_cid',
  'irclid',
  '_kx',
  'epik',
  'qclid',
  'sccid',
] as const;

/** Every key lifted from an event onto its person. */
const EVENT_TO_PERSON_KEYS: readonly string[] = [...EVENT_TO_PERSON_PROPERTIES, ...CAMPAIGN_PROPERTIES];

/** Server SDKs (`$is_server: true`) report their host's OS: never lifted onto the person (PostHog skips them too). */
const SERVER_HOST_KEYS = new Set(['$os', '$os_version', '$os_name']);

/** The `$geoip_*` keys capture derives (src/capture/enrich.ts), set as a whole so a stale value is cleared. */
export const GEOIP_KEYS = [
  '$geoip_city_name',
  '$geoip_country_name',
  '$geoip_country_code',
  '$geoip_continent_name',
  '$geoip_continent_code',
  '$geoip_postal_code',
  '$geoip_latitude',
  '$geoip_longitude',
  '$geoip_time_zone',
  '$geoip_subdivision_1_code',
  '$geoip_subdivision_1_name',
] as const;

/**
 * PostHog's FILTERED_PERSON_UPDATE_PROPERTIES: keys that change on nearly every
 * event. A change to only these (on a key the person already has) does not
 * write the person on its own; the new values go along with the next write
 * that happens for another reason. Person events ($identify, $set, …) always write.
 */
export const FILTERED_PERSON_UPDATE_PROPERTIES: ReadonlySet<string> = new Set([
  '$current_url',
  '$pathname',
  '$referring_domain',
  '$referrer',
  '$screen_height',
  '$screen_width',
  '$viewport_height',
  '$viewport_width',
  '$browser',
  '$browser_version',
  '$device_type',
  '$raw_user_agent',
  '$os',
  '$os_name',
  '$os_version',
  '$geoip_postal_code',
  '$geoip_time_zone',
  '$geoip_latitude',
  '$geoip_longitude',
  '$geoip_accuracy_radius',
  '$geoip_subdivision_1_code',
  '$geoip_subdivision_1_name',
  '$geoip_subdivision_2_code',
  '$geoip_subdivision_2_name',
  '$geoip_subdivision_3_code',
  '$geoip_subdivision_3_name',
  '$geoip_city_confidence',
  '$geoip_country_confidence',
  '$geoip_postal_code_confidence',
  '$geoip_subdivision_1_confidence',
  '$geoip_subdivision_2_confidence',
]);

/** PostHog's PERSON_EVENTS: every change they make is written. */
export const PERSON_EVENTS: ReadonlySet<string> = new Set(['$identify', '$create_alias', '$merge_dangerously', '$set']);

/** `$initial_<key without $>`, for the keys lifted onto persons: built once, not per event. */
const INITIAL_KEYS = new Map(
  [...EVENT_TO_PERSON_KEYS, ...GEOIP_KEYS].map((key) => [key, `$initial_${key.replace('$', '')}`]),
);
const initialKeyOf = (key: string) => INITIAL_KEYS.get(key)!;

type Properties = Record<string, unknown>;

interface AutomaticUpdates {
  set: Properties;
  setOnce: Properties;
}

/**
 * The automatic person updates of an event with these properties.
 * - Each key of EVENT_TO_PERSON_KEYS present (even as null) is `$set`; when not
 *   null it is also `$set_once` as `$initial_<key without $>`.
 * - `$os_name` is an alias of `$os` (some SDKs send it): it fills `$os` and
 *   `$initial_os` when `$os` is absent or null, and never lands on the person itself.
 * - Server SDK events (`$is_server: true`) lift no `$os*`.
 * - GeoIP: when the event has an `$ip`, `$geoip_*` values and no `$geoip_disable`,
 *   every GEOIP_KEYS key is `$set` (null where the location has none) and the
 *   non-null ones `$set_once` as `$initial_geoip_*`. A project that anonymises
 *   IPs has no `$ip` on its events, so nothing is lifted.
 */
export function automaticPersonUpdates(properties: Properties): AutomaticUpdates {
  const set: Properties = {};
  const setOnce: Properties = {};
  const fromServer = properties.$is_server === true;
  for (const key of EVENT_TO_PERSON_KEYS) {
    if (!Object.hasOwn(properties, key) || key === '$os_name') continue;
    if (fromServer && SERVER_HOST_KEYS.has(key)) continue;
    const value = properties[key];
    if (value === undefined) continue;
    set[key] = value;
    if (value !== null) setOnce[initialKeyOf(key)] = value;
  }
  const osName = Object.hasOwn(properties, '$os_name') ? properties.$os_name : undefined;
  if (osName !== undefined && !fromServer) {
    if (!Object.hasOwn(set, '$os')) set.$os = osName;
    if (osName !== null && !Object.hasOwn(setOnce, '$initial_os')) setOnce.$initial_os = osName;
  }
  liftGeoip(properties, set, setOnce);
  return { set, setOnce };
}

function liftGeoip(properties: Properties, set: Properties, setOnce: Properties): void {
  if (properties.$geoip_disable) return;
  if (properties.$ip === undefined || properties.$ip === null || properties.$ip === '') return;
  const present = GEOIP_KEYS.filter((key) => properties[key] !== undefined && properties[key] !== null);
  if (present.length === 0) return;
  for (const key of GEOIP_KEYS) {
    const value = properties[key] ?? null;
    set[key] = value;
    if (value !== null) setOnce[initialKeyOf(key)] = value;
  }
}
