// Event payloads shaped like what posthog-js and posthog-node send, from a
// seeded random generator so every run sends the same workload.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { seededRandom as random } from '../../scripts/lib/seeded-random.mjs';

/** The seeded generator every workload draws from (mulberry32). */
export { random };

const PAGES = [
  '/',
  '/pricing',
  '/docs',
  '/docs/getting-started',
  '/blog',
  '/blog/launch',
  '/signup',
  '/login',
  '/app',
  '/app/settings',
];
const BROWSERS = [
  ['Chrome', 'Mac OS X', 'Desktop'],
  ['Safari', 'iOS', 'Mobile'],
  ['Firefox', 'Windows', 'Desktop'],
  ['Chrome', 'Android', 'Mobile'],
];

/** The properties posthog-js puts on a browser event (a representative subset). */
function browserProperties(rnd, distinctId) {
  const page = PAGES[Math.floor(rnd() * PAGES.length)];
  const [browser, os, deviceType] = BROWSERS[Math.floor(rnd() * BROWSERS.length)];
  return {
    $os: os,
    $browser: browser,
    $device_type: deviceType,
    $current_url: `https://example.com${page}`,
    $host: 'example.com',
    $pathname: page,
    $raw_user_agent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    $browser_version: 126,
    $browser_language: 'en-US',
    $screen_height: 982,
    $screen_width: 1512,
    $viewport_height: 857,
    $viewport_width: 1512,
    $lib: 'web',
    $lib_version: '1.449.2',
    $insert_id: Math.floor(rnd() * 2 ** 32).toString(36),
    $time: Date.now() / 1000,
    distinct_id: distinctId,
    $device_id: distinctId,
    $session_id: `0190${Math.floor(rnd() * 2 ** 32).toString(16)}`,
    $window_id: `0190${Math.floor(rnd() * 2 ** 32).toString(16)}`,
    $referrer: '$direct',
    $referring_domain: '$direct',
    utm_source: rnd() < 0.3 ? 'newsletter' : undefined,
  };
}

/** An anonymous posthog-js event (default person_profiles: 'identified_only'). */
export function anonymousEvent(rnd, distinctId, uuid = randomUUID()) {
  return {
    uuid,
    event: rnd() < 0.6 ? '$pageview' : 'clicked_button',
    properties: { ...browserProperties(rnd, distinctId), $process_person_profile: false },
    timestamp: new Date().toISOString(),
  };
}

/** An event of an identified user that sets person properties. */
export function identifiedEvent(rnd, distinctId, uuid = randomUUID()) {
  return {
    uuid,
    event: rnd() < 0.5 ? '$pageview' : 'feature_used',
    properties: {
      ...browserProperties(rnd, distinctId),
      $set: { plan: rnd() < 0.2 ? 'pro' : 'free', last_page: PAGES[Math.floor(rnd() * PAGES.length)] },
      $set_once: { first_plan: 'free' },
    },
    timestamp: new Date().toISOString(),
  };
}

/** posthog-js `identify(userId, {email})` while anonymous as `anonId`: merges anonId into userId. */
export function identifyEvent(rnd, userId, anonId, uuid = randomUUID()) {
  return {
    uuid,
    event: '$identify',
    properties: { ...browserProperties(rnd, userId), $anon_distinct_id: anonId },
    $set: { email: `${userId}@example.com` },
    $set_once: { signup_page: '/signup' },
    timestamp: new Date().toISOString(),
  };
}

/** posthog-js `alias(alias)` by an identified user. */
export function aliasEvent(rnd, userId, alias, uuid = randomUUID()) {
  return {
    uuid,
    event: '$create_alias',
    properties: { ...browserProperties(rnd, userId), alias },
    timestamp: new Date().toISOString(),
  };
}

/**
 * The realistic mix: ~70% anonymous person-less events, ~25% identified events
 * with `$set`, ~5% merges (4 in 5 `$identify` of a fresh anonymous id, 1 in 5
 * `$create_alias`). Returns the events and what the project must hold once all
 * are ingested (persons and distinct ids do not depend on processing order).
 */
export function mixedEvents(count, { seed, users, anons, userPrefix = 'user-', tag = 'mix' }) {
  const rnd = random(seed);
  const events = [];
  const identifiedUsers = new Set();
  let merges = 0;
  for (let i = 0; i < count; i++) {
    const r = rnd();
    if (r < 0.7) {
      events.push(anonymousEvent(rnd, `anon-${tag}-${Math.floor(rnd() * anons)}`));
      continue;
    }
    const user = `${userPrefix}${Math.floor(rnd() * users)}`;
    identifiedUsers.add(user);
    if (r < 0.95) {
      events.push(identifiedEvent(rnd, user));
    } else {
      merges++;
      events.push(
        merges % 5 === 0
          ? aliasEvent(rnd, user, `alias-${tag}-${i}`)
          : identifyEvent(rnd, user, `anon-${tag}-merged-${i}`),
      );
    }
  }
  return {
    events,
    // Every merge adds one fresh id to its user's person and writes one merge record.
    expected: {
      events: count,
      newPersons: identifiedUsers.size,
      newDistinctIds: identifiedUsers.size + merges,
      merges,
    },
    mix: {
      anonymous: events.filter((e) => e.properties.$process_person_profile === false).length,
      merges,
      identifiedUsers: identifiedUsers.size,
    },
  };
}

/** Capture request bodies: `{api_key, batch, sent_at}` per `size` events, gzip like posthog-node. */
export function batchBodies(token, events, size, { gzip = true } = {}) {
  const bodies = [];
  for (let i = 0; i < events.length; i += size) {
    const json = JSON.stringify({
      api_key: token,
      batch: events.slice(i, i + size),
      sent_at: new Date().toISOString(),
    });
    bodies.push(gzip ? gzipSync(json) : Buffer.from(json));
  }
  return bodies;
}
