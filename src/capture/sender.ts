import type { Env } from '../env';
import { geoipOf, type EdgeLocation } from './enrich';
import { cidrContains, parseCidr, parseIp, type Cidr, type IpAddress } from './ip';

/**
 * Who sent a capture request: the client's IP and location. THE one place that
 * decides it (capture's `$ip` / `$geoip_*`, and anything else keyed by the client).
 */
export interface Sender {
  /** Null when unknown (a trusted proxy that forwarded no usable address). */
  ip: string | null;
  /** PostHog's `$geoip_*` properties; empty rather than wrong. */
  geo: Record<string, string | number>;
  /** Whether the request came through a trusted proxy (its forwarding headers were used). */
  viaProxy: boolean;
}

/** The header a proxy adds with the shared secret (`PROXY_SECRET`) to be trusted. */
const PROXY_SECRET_HEADER = 'X-Proxy-Secret';
/** Forwarding headers longer than this are read from their right end only (the trusted part). */
const MAX_FORWARDED_CHARS = 4096;
/** Hops read from the right of X-Forwarded-For; further left is never needed to find the client. */
const MAX_HOPS = 32;
const MAX_GEO_TEXT = 128;

interface ProxyTrust {
  cidrs: Cidr[];
  secret: string | undefined;
}

class ProxyConfigError extends Error {}

let parsed: { key: string; trust: ProxyTrust | ProxyConfigError } | undefined;

/**
 * `TRUSTED_PROXIES` (addresses or CIDRs, separated by commas or spaces) and
 * `PROXY_SECRET`, parsed once per isolate. A malformed entry is a ProxyConfigError.
 */
export function proxyTrustOf(env: Pick<Env, 'TRUSTED_PROXIES' | 'PROXY_SECRET'>): ProxyTrust {
  const key = `${env.TRUSTED_PROXIES ?? ''}\n${env.PROXY_SECRET ?? ''}`;
  if (parsed?.key !== key) parsed = { key, trust: parseTrust(env.TRUSTED_PROXIES ?? '', env.PROXY_SECRET ?? '') };
  if (parsed.trust instanceof ProxyConfigError) throw parsed.trust;
  return parsed.trust;
}

function parseTrust(list: string, secret: string): ProxyTrust | ProxyConfigError {
  const cidrs: Cidr[] = [];
  for (const entry of list.split(/[\s,]+/).filter(Boolean)) {
    const cidr = parseCidr(entry);
    if (!cidr)
      return new ProxyConfigError(`TRUSTED_PROXIES: "${entry.slice(0, 60)}" is not an IP address or CIDR range.`);
    cidrs.push(cidr);
  }
  const trimmed = secret.trim();
  if (trimmed !== '' && trimmed.length < 16)
    return new ProxyConfigError('PROXY_SECRET must be at least 16 characters.');
  return { cidrs, secret: trimmed || undefined };
}

/** The config problem, for the readiness check; undefined when the config is fine. */
export function proxyConfigProblem(env: Pick<Env, 'TRUSTED_PROXIES' | 'PROXY_SECRET'>): string | undefined {
  try {
    proxyTrustOf(env);
    return undefined;
  } catch (error) {
    return error instanceof ProxyConfigError ? error.message : String(error);
  }
}

const isTrusted = (trust: ProxyTrust, ip: IpAddress) => trust.cidrs.some((c) => cidrContains(c, ip));

/**
 * The client of a request. Directly connected (no trusted proxy): the address
 * Cloudflare saw (`CF-Connecting-IP`) and its `request.cf` location. From a
 * trusted proxy (its address is in TRUSTED_PROXIES, or it sent PROXY_SECRET):
 * the rightmost `X-Forwarded-For` entry that is not itself a trusted proxy
 * (else `X-Real-IP`), and the location the proxy forwarded, if any.
 * Forwarding headers from anyone else are ignored, so they cannot spoof.
 */
export function senderOf(request: Request, env: Pick<Env, 'TRUSTED_PROXIES' | 'PROXY_SECRET'>): Sender {
  const headers = request.headers;
  const peer = parseIp(headers.get('CF-Connecting-IP') ?? '');
  let trust: ProxyTrust;
  try {
    trust = proxyTrustOf(env);
  } catch (error) {
    // Fail closed: a broken config trusts no proxy (the readiness check reports it).
    console.error('proxy config', error instanceof Error ? error.message : String(error));
    trust = { cidrs: [], secret: undefined };
  }
  const viaProxy = (peer !== null && isTrusted(trust, peer)) || hasSecret(trust, headers.get(PROXY_SECRET_HEADER));
  if (!viaProxy) {
    const direct = peer?.text ?? null;
    return { ip: direct, geo: direct === null ? {} : locationOf(direct, request), viaProxy };
  }
  const ip = forwardedClient(headers, trust, peer);
  return { ip: ip?.text ?? null, geo: ip ? geoipOf(forwardedLocation(headers)) : {}, viaProxy };
}

/** How long, and for how many addresses, a directly connected client's location is kept. */
const LOCATION_TTL_MS = 10 * 60_000;
const MAX_LOCATIONS = 10_000;
const recentLocations = new Map<string, { geo: Sender['geo']; until: number }>();

/**
 * The `$geoip_*` of a directly connected client, from `request.cf`, kept per address
 * for ten minutes: reading `request.cf` makes the runtime parse and freeze the whole cf
 * object (about a tenth of a millisecond of CPU a request), and a location is a function
 * of the address (PostHog looks `$ip` up in a GeoIP database).
 */
function locationOf(ip: string, request: Request, now = Date.now()): Sender['geo'] {
  const known = recentLocations.get(ip);
  if (known && known.until > now) return known.geo;
  const geo = geoipOf(request.cf as EdgeLocation | undefined);
  recentLocations.delete(ip);
  if (recentLocations.size >= MAX_LOCATIONS) recentLocations.delete(recentLocations.keys().next().value!);
  recentLocations.set(ip, { geo, until: now + LOCATION_TTL_MS });
  return geo;
}

function hasSecret(trust: ProxyTrust, sent: string | null): boolean {
  if (!trust.secret || sent === null) return false;
  const a = new TextEncoder().encode(sent);
  const b = new TextEncoder().encode(trust.secret);
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The rightmost `count` comma-separated entries of a header, reading at most its last MAX_FORWARDED_CHARS. */
function rightmostEntries(value: string, count: number): string[] {
  let text = value;
  if (text.length > MAX_FORWARDED_CHARS) {
    text = text.slice(-MAX_FORWARDED_CHARS);
    // The first entry was cut: drop it.
    text = text.slice(text.indexOf(',') + 1 || text.length);
  }
  return text.split(',').slice(-count);
}

/**
 * Walks X-Forwarded-For from the right: Cloudflare's own copy of the peer,
 * then trusted proxies, are skipped; the first other address is the client.
 * An entry that is not an address stops the walk (what lies left of it cannot
 * be vouched for): then the client is unknown.
 */
function forwardedClient(headers: Headers, trust: ProxyTrust, peer: IpAddress | null): IpAddress | null {
  const forwarded = headers.get('X-Forwarded-For');
  if (forwarded !== null && forwarded.trim() !== '') {
    const hops = rightmostEntries(forwarded, MAX_HOPS);
    // Cloudflare appends the address it saw (the proxy) to the header.
    if (peer && hops.length > 0 && parseIp(hops.at(-1)!)?.text === peer.text) hops.pop();
    let leftmostTrusted: IpAddress | null = null;
    for (let i = hops.length - 1; i >= 0; i--) {
      const ip = parseIp(hops[i]!);
      if (!ip) return null;
      if (!isTrusted(trust, ip)) return ip;
      leftmostTrusted = ip;
    }
    // Every hop is a trusted proxy: the leftmost is the closest thing to a client.
    if (leftmostTrusted) return leftmostTrusted;
  }
  const real = headers.get('X-Real-IP');
  return real === null ? null : parseIp(real);
}

const text = (value: string | null | undefined): string | undefined => {
  const t = value?.trim();
  return t && t.length <= MAX_GEO_TEXT ? t : undefined;
};
const countryCode = (value: string | null | undefined) => {
  const t = value?.trim().toUpperCase();
  return t && /^[A-Z]{2}$/.test(t) && t !== 'XX' && t !== 'T1' ? t : undefined;
};
const continentCode = (value: string | null | undefined) => {
  const t = value?.trim().toUpperCase();
  return t && /^(AF|AN|AS|EU|NA|OC|SA)$/.test(t) ? t : undefined;
};
const coordinate = (value: string | null | undefined, limit: number) => {
  const t = value?.trim();
  if (!t || !/^-?\d{1,3}(\.\d{1,12})?$/.test(t)) return undefined;
  return Math.abs(Number(t)) <= limit ? t : undefined;
};
const timeZone = (value: string | null | undefined) => {
  const t = value?.trim();
  return t && /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(t) ? t : undefined;
};
const uriDecoded = (value: string | null) => {
  if (value === null) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
};

/**
 * The location a trusted proxy forwarded: Vercel's `X-Vercel-IP-*`,
 * Cloudflare's `CF-IPCountry` family (with "Add visitor location headers"),
 * or Netlify's `X-Nf-Geo`. The first family that names a country wins.
 */
function forwardedLocation(h: Headers): EdgeLocation | undefined {
  const vercel = countryCode(h.get('X-Vercel-IP-Country'));
  if (vercel) {
    return {
      country: vercel,
      continent: continentCode(h.get('X-Vercel-IP-Continent')),
      city: text(uriDecoded(h.get('X-Vercel-IP-City'))),
      regionCode: text(h.get('X-Vercel-IP-Country-Region')),
      postalCode: text(h.get('X-Vercel-IP-Postal-Code')),
      timezone: timeZone(h.get('X-Vercel-IP-Timezone')),
      latitude: coordinate(h.get('X-Vercel-IP-Latitude'), 90),
      longitude: coordinate(h.get('X-Vercel-IP-Longitude'), 180),
    };
  }
  const cloudflare = countryCode(h.get('CF-IPCountry'));
  if (cloudflare) {
    return {
      country: cloudflare,
      continent: continentCode(h.get('CF-IPContinent')),
      city: text(h.get('CF-IPCity')),
      region: text(h.get('CF-Region')),
      regionCode: text(h.get('CF-Region-Code')),
      postalCode: text(h.get('CF-Postal-Code')),
      timezone: timeZone(h.get('CF-Timezone')),
      latitude: coordinate(h.get('CF-IPLatitude'), 90),
      longitude: coordinate(h.get('CF-IPLongitude'), 180),
    };
  }
  return netlifyLocation(h.get('X-Nf-Geo'));
}

function netlifyLocation(header: string | null): EdgeLocation | undefined {
  if (!header || header.length > MAX_FORWARDED_CHARS) return undefined;
  let geo: unknown;
  try {
    geo = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(header.trim()), (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
  if (typeof geo !== 'object' || geo === null) return undefined;
  const g = geo as {
    [key: string]: unknown;
    country?: { code?: unknown };
    subdivision?: { name?: unknown; code?: unknown };
  };
  const country = countryCode(typeof g.country?.code === 'string' ? g.country.code : undefined);
  if (!country) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
  return {
    country,
    city: text(str(g.city)),
    region: text(str(g.subdivision?.name)),
    regionCode: text(str(g.subdivision?.code)),
    postalCode: text(str(g.postal_code)),
    timezone: timeZone(str(g.timezone)),
    latitude: coordinate(str(g.latitude), 90),
    longitude: coordinate(str(g.longitude), 180),
  };
}
