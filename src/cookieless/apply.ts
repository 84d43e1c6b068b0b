import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/client';
import type { CaptureProject } from '../db/projects';
import { isCookielessPlaceholder } from '../identity';
import type { CapturedEvent } from '../queue/message';
import { isUsable, knownTimeZone, saltWindowOf, startOfDay, type SaltWindow } from './days';
import { cookielessHash, deviceIdOfHash, distinctIdOfHash, unpaddedBase64, type HashInput } from './hash';
import { rootDomainOf } from './root-domain';
import { saltFor } from './salts';
import { recordIdentifies, touchSessions } from './state';

/** What the edge knows of the sender, besides the events. */
export interface CookielessSender {
  /** The client IP capture computed for the request. */
  ip?: string | null;
  /** The request's `User-Agent` header (used when the event has no `$raw_user_agent`). */
  userAgent?: string | null;
}

/** Why a cookieless event was accepted but not stored (the warning's `reason`). */
type CookielessDropReason =
  | 'cookieless_disabled_for_project'
  | 'alias_or_merge_in_cookieless_mode'
  | 'identify_in_stateless_mode'
  | 'missing_user_agent'
  | 'missing_ip'
  | 'missing_host'
  | 'no_salt_for_day';

const COOKIELESS_DROP_WARNING = 'cookieless_event_dropped';

/**
 * An event sent in posthog-js's cookieless mode: flagged `$cookieless_mode`, or
 * carrying a placeholder distinct id (which must never be stored as one).
 */
export const isCookielessEvent = (e: CapturedEvent) =>
  Boolean(e.properties.$cookieless_mode) || isCookielessPlaceholder(e.distinct_id);

interface Hashable {
  event: CapturedEvent;
  input: Omit<HashInput, 'n'>;
  window: SaltWindow;
  timestampMs: number;
  baseHash?: Uint8Array;
  salt?: Uint8Array;
}

/**
 * PostHog's cookieless server hash mode, at the edge: replaces the placeholder
 * distinct id of cookieless events with `cookieless_<hash>` of the day's salt,
 * the project, client IP, site and user agent, sets `$device_id` and
 * `$session_id`, and removes the raw inputs (`$ip`, `$raw_user_agent`,
 * `$cookieless_extra`). Events the project's mode refuses come back as
 * `dropped` stubs (their warning is stored by the consumer). Other events pass
 * unchanged. Throws only when the salt store is unreachable (capture answers 503).
 */
export async function applyCookieless(
  db: Db,
  project: CaptureProject,
  events: CapturedEvent[],
  sender: CookielessSender,
  now = Date.now(),
): Promise<CapturedEvent[]> {
  if (!events.some(isCookielessEvent)) return events;
  const timeZone = knownTimeZone(project.timezone);
  const out = [...events];
  const hashable = new Map<number, Hashable>();
  events.forEach((event, index) => {
    if (!isCookielessEvent(event)) return;
    const checked = checkEvent(event, project, sender, timeZone, now);
    if (typeof checked === 'string') out[index] = droppedStub(event, checked);
    else hashable.set(index, checked);
  });
  if (hashable.size === 0) return out;

  for (const [index, h] of hashable) {
    h.salt = (await saltFor(db, project.id, h.window, now)) ?? undefined;
    if (!h.salt) {
      out[index] = droppedStub(h.event, 'no_salt_for_day');
      hashable.delete(index);
      continue;
    }
    h.baseHash = cookielessHash(h.salt, h.input);
  }

  if (project.cookielessServerHashMode === 'stateful') {
    await applyStateful(db, project.id, hashable, out);
  } else {
    for (const [index, h] of hashable) out[index] = statelessEvent(h, timeZone);
  }
  if (project.anonymizeIps) {
    for (const index of hashable.keys()) out[index] = withoutIpLocation(out[index]!);
  }
  return out;
}

/** The hash inputs of a cookieless event, or why it is dropped (PostHog's checks, in its order). */
function checkEvent(
  event: CapturedEvent,
  project: CaptureProject,
  sender: CookielessSender,
  timeZone: string,
  now: number,
): Hashable | CookielessDropReason {
  if (event.event === '$create_alias' || event.event === '$merge_dangerously')
    return 'alias_or_merge_in_cookieless_mode';
  if (event.event === '$identify' && project.cookielessServerHashMode === 'stateless')
    return 'identify_in_stateless_mode';
  if (project.cookielessServerHashMode === 'disabled') return 'cookieless_disabled_for_project';
  const p = event.properties;
  const userAgent = nonEmpty(p.$raw_user_agent) ?? nonEmpty(sender.userAgent);
  const ip = nonEmpty(sender.ip) ?? nonEmpty(p.$ip);
  const host = nonEmpty(p.$host) ?? nonEmpty(p.$current_url);
  if (!userAgent) return 'missing_user_agent';
  if (!ip) return 'missing_ip';
  if (!host) return 'missing_host';
  const timestampMs = Date.parse(event.timestamp);
  const window = saltWindowOf(timestampMs, timeZone);
  if (!isUsable(window, now)) return 'no_salt_for_day';
  const extra = p.$cookieless_extra;
  return {
    event,
    timestampMs,
    window,
    input: {
      projectId: project.id,
      ip,
      rootDomain: rootDomainOf(host),
      userAgent,
      extra: extra === undefined || extra === null ? '' : typeof extra === 'string' ? extra : JSON.stringify(extra),
    },
  };
}

const nonEmpty = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

function droppedStub(event: CapturedEvent, reason: CookielessDropReason): CapturedEvent {
  return {
    uuid: event.uuid,
    event: event.event,
    distinct_id: '',
    properties: {},
    timestamp: event.timestamp,
    dropped: { type: COOKIELESS_DROP_WARNING, details: { reason, event: event.event, eventUuid: event.uuid } },
  };
}

/** Stateless mode: the hash is the distinct id, one session per visitor and day (PostHog). */
function statelessEvent(h: Hashable, timeZone: string): CapturedEvent {
  const distinctId = distinctIdOfHash(h.baseHash!);
  const sessionId = uuidV7Of(startOfDay(h.window.day, timeZone), h.baseHash!.subarray(0, 10));
  return withoutRawInputs({
    ...h.event,
    distinct_id: distinctId,
    properties: {
      ...h.event.properties,
      $distinct_id: distinctId,
      $device_id: deviceIdOfHash(h.baseHash!),
      $session_id: sessionId,
    },
  });
}

/**
 * Stateful mode (PostHog): a visitor's hash takes the number of `$identify`
 * events that came before, so after one person behind an IP and browser logs
 * in, the next anonymous visitor gets a new id; sessions end after 30 minutes
 * idle. The bookkeeping is in D1 and expires with the day's salt.
 */
async function applyStateful(
  db: Db,
  projectId: number,
  hashable: Map<number, Hashable>,
  out: CapturedEvent[],
): Promise<void> {
  const entries = [...hashable];
  const visitorOf = (h: Hashable) => unpaddedBase64(h.baseHash!);
  const identifies = entries
    .filter(([, h]) => h.event.event === '$identify')
    .map(([, h]) => ({ visitorKey: visitorOf(h), eventUuid: h.event.uuid, expiresAt: h.window.expiresAt }));
  const recorded = await recordIdentifies(
    db,
    projectId,
    [...new Set(entries.map(([, h]) => visitorOf(h)))],
    identifies,
  );

  const hashes = entries.map(([index, h]) => {
    const list = recorded.get(visitorOf(h)) ?? [];
    const isIdentify = h.event.event === '$identify';
    // Identifies of this request that come after this event have not happened yet for it.
    const later = new Set(
      entries.filter(([i, o]) => i > index && o.event.event === '$identify').map(([, o]) => o.event.uuid),
    );
    const soFar = list.filter((uuid) => !later.has(uuid)).length;
    const n = isIdentify
      ? list.indexOf(h.event.uuid)
      : isCookielessPlaceholder(h.event.distinct_id)
        ? soFar
        : soFar - 1;
    return n === 0 ? h.baseHash! : cookielessHash(h.salt!, { ...h.input, n });
  });

  const sessionIds = await touchSessions(
    db,
    projectId,
    entries.map(([, h], i) => ({
      sessionKey: unpaddedBase64(hashes[i]!),
      timestampMs: h.timestampMs,
      newSessionId: uuidv7({ msecs: h.timestampMs }),
      expiresAt: h.window.expiresAt,
    })),
  );

  entries.forEach(([index, h], i) => {
    const distinctId = distinctIdOfHash(hashes[i]!);
    const event: CapturedEvent = {
      ...h.event,
      properties: { ...h.event.properties, $device_id: deviceIdOfHash(h.baseHash!), $session_id: sessionIds[i]! },
    };
    if (event.event === '$identify') event.properties.$anon_distinct_id = distinctId;
    else if (isCookielessPlaceholder(event.distinct_id)) event.distinct_id = distinctId;
    out[index] = withoutRawInputs(event);
  });
}

/** The hash inputs are not stored (PostHog's `stripPIIProperties`). */
function withoutRawInputs(event: CapturedEvent): CapturedEvent {
  const { $ip, $raw_user_agent, $cookieless_extra, ...properties } = event.properties;
  const result: CapturedEvent = { ...event, properties };
  const dropKey = (bag: unknown, key: string) => {
    if (!bag || typeof bag !== 'object' || Array.isArray(bag) || !(key in bag)) return bag;
    const { [key]: _, ...rest } = bag as Record<string, unknown>;
    return rest;
  };
  if (properties.$set !== undefined) properties.$set = dropKey(properties.$set, '$raw_user_agent');
  if (properties.$set_once !== undefined)
    properties.$set_once = dropKey(properties.$set_once, '$initial_raw_user_agent');
  if (result.$set) result.$set = dropKey(result.$set, '$raw_user_agent') as Record<string, unknown>;
  if (result.$set_once)
    result.$set_once = dropKey(result.$set_once, '$initial_raw_user_agent') as Record<string, unknown>;
  return result;
}

/** With `anonymize_ips`, nothing derived from the raw IP stays: no `$geoip_*` either. */
function withoutIpLocation(event: CapturedEvent): CapturedEvent {
  const properties = Object.fromEntries(Object.entries(event.properties).filter(([key]) => !key.startsWith('$geoip_')));
  return { ...event, properties };
}

/** A UUIDv7 with a given time and "random" bytes (PostHog's `new UUID7(ms, rand)`). */
export function uuidV7Of(ms: number, rand: Uint8Array): string {
  const bytes = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  bytes.set(rand.subarray(0, 10), 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
