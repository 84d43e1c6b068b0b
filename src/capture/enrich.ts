/** The fields of Cloudflare's `request.cf` that locate the sender. */
export interface EdgeLocation {
  country?: string | null;
  continent?: string;
  city?: string;
  region?: string;
  regionCode?: string;
  postalCode?: string;
  timezone?: string;
  latitude?: string;
  longitude?: string;
}

/** What capture knows about the sender (see sender.ts): its IP and `$geoip_*` location. */
interface SenderFacts {
  ip?: string | null;
  geo?: Record<string, string | number>;
}

const CONTINENT_NAMES: Record<string, string> = {
  AF: 'Africa',
  AN: 'Antarctica',
  AS: 'Asia',
  EU: 'Europe',
  NA: 'North America',
  OC: 'Oceania',
  SA: 'South America',
};

/**
 * Adds `$ip` and `$geoip_*` (the sender's, see sender.ts) to the properties,
 * unless `$geoip_disable` is set. An `$ip` the sender set itself is kept, and
 * then the client's location (not that IP's) is not used. A project that
 * anonymises IPs gets neither, and an `$ip` sent in the event is dropped.
 */
export function enrichProperties(
  properties: Record<string, unknown>,
  sender: SenderFacts,
  { anonymizeIps = false } = {},
): void {
  if (anonymizeIps) {
    delete properties.$ip;
    return;
  }
  if (properties.$geoip_disable) return;
  if (properties.$ip !== undefined && properties.$ip !== null && properties.$ip !== sender.ip) return;
  if (sender.ip) properties.$ip = sender.ip;
  if (!sender.geo) return;
  for (const [key, value] of geoEntriesOf(sender.geo)) {
    if (properties[key] === undefined) properties[key] = value;
  }
}

/** A request's location is the same for all its events (and recent requests of its address): listed once. */
const geoEntries = new WeakMap<Record<string, string | number>, [string, string | number][]>();

function geoEntriesOf(geo: Record<string, string | number>): [string, string | number][] {
  let entries = geoEntries.get(geo);
  if (!entries) geoEntries.set(geo, (entries = Object.entries(geo)));
  return entries;
}

/** PostHog's `$geoip_*` properties from Cloudflare's `request.cf`. */
export function geoipOf(cf: EdgeLocation | null | undefined): Record<string, string | number> {
  if (!cf) return {};
  const geo: Record<string, string | number | undefined> = {
    $geoip_country_code: cf.country ?? undefined,
    $geoip_country_name: countryName(cf.country),
    $geoip_continent_code: cf.continent,
    $geoip_continent_name: cf.continent ? CONTINENT_NAMES[cf.continent] : undefined,
    $geoip_city_name: cf.city,
    $geoip_subdivision_1_code: cf.regionCode,
    $geoip_subdivision_1_name: cf.region,
    $geoip_postal_code: cf.postalCode,
    $geoip_time_zone: cf.timezone,
    $geoip_latitude: numberOf(cf.latitude),
    $geoip_longitude: numberOf(cf.longitude),
  };
  return Object.fromEntries(
    Object.entries(geo).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== ''),
  );
}

function numberOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

const countryNames = new Map<string, string | undefined>();
let regionNames: Intl.DisplayNames | undefined;

/** English country names, one `Intl.DisplayNames` per isolate and each name looked up once. */
function countryName(code: string | null | undefined): string | undefined {
  if (!code || !/^[A-Z]{2}$/.test(code) || code === 'XX' || code === 'T1') return undefined;
  if (countryNames.has(code)) return countryNames.get(code);
  let name: string | undefined;
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
    name = regionNames.of(code);
  } catch {
    name = undefined;
  }
  countryNames.set(code, name);
  return name;
}
