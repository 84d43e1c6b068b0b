// A seeded, deterministic stream of events as posthog-js sends them (property shapes in
// posthog-js-shapes.mjs): anonymous visitors' person-less page views, identified users' events
// with `$set`, and `$identify` of a new browser. Each browser keeps its user agent, screen and
// device id; each session its ids and landing; timestamps rise through the span, so UUIDv7 ids
// (posthog-js's own: event uuid, device, session, window) rise with them.
import {
  automaticProperties,
  initialPersonInfo,
  newDevice,
  newLanding,
  nextPage,
  previousPageview,
} from './posthog-js-shapes.mjs';
import { random } from './workload.mjs';

const SESSION_IDLE_MS = 30 * 60_000;
const CUSTOM_EVENTS = ['insight_created', 'dashboard_viewed', 'feature_used', 'invite_sent'];
const PLANS = ['free', 'free', 'free', 'pro', 'team'];

/** The kinds of event, as shares of the stream; the rest are `$identify`. */
export const POSTHOG_JS_SHARES = { personless: 0.7, identified: 0.25 };

const isAppPage = (page) => page[0].startsWith('/app/');
const hex = (n, width) => Math.floor(n).toString(16).padStart(width, '0');

/** An RFC 9562 UUIDv7 for `ms`, its random bits drawn from `rnd`. */
export function uuidv7(ms, rnd) {
  const t = hex(ms, 12);
  const bits16 = () => Math.floor(rnd() * 0x10000);
  const randA = hex(bits16() & 0xfff, 3);
  const variant = hex((bits16() & 0x3fff) | 0x8000, 4);
  return `${t.slice(0, 8)}-${t.slice(8)}-7${randA}-${variant}-${hex(bits16(), 4)}${hex(bits16(), 4)}${hex(bits16(), 4)}`;
}

function newBrowser(rnd, timeMs) {
  return { deviceId: uuidv7(timeMs, rnd), device: newDevice(rnd), session: undefined };
}

/** The browser's session at `timeMs`: the current one, or a new one after 30 idle minutes. */
function sessionAt(rnd, browser, timeMs) {
  const current = browser.session;
  if (current && timeMs - current.lastAt < SESSION_IDLE_MS) {
    current.lastAt = timeMs;
    return current;
  }
  const landing = newLanding(rnd);
  browser.session = {
    id: uuidv7(timeMs, rnd),
    windowId: uuidv7(timeMs, rnd),
    landing,
    lastAt: timeMs,
    pages: 0,
    page: undefined,
    pageviewId: undefined,
    pathname: undefined,
    configLoaded: false,
  };
  return browser.session;
}

/** A new session's landing page view, as if it had been sent before (an anonymous one). */
function landOn(rnd, browser, timeMs) {
  const s = sessionAt(rnd, browser, timeMs);
  s.page = s.landing.page;
  s.pages = 1;
  s.pageviewId = uuidv7(timeMs, rnd);
  s.pathname = s.page[0];
  s.configLoaded = true;
}

/** One event of `browser` at `timeMs` (`userId` when identified); advances its page state. */
function browserEvent(rnd, browser, timeMs, { name, userId, token, extra = {} }) {
  const uuid = uuidv7(timeMs, rnd);
  const s = sessionAt(rnd, browser, timeMs);
  const event = name === '$pageview' || !s.page ? '$pageview' : name;
  let pageview = {};
  if (event === '$pageview') {
    const page = s.pages === 0 ? s.landing.page : nextPage(rnd);
    // A full page load starts posthog-js afresh: only the app's in-page navigations report the page before.
    if (s.page && isAppPage(s.page) && isAppPage(page)) pageview = previousPageview(rnd, s);
    s.page = page;
    s.pages++;
    s.pageviewId = uuid;
    s.pathname = s.page[0];
  } else if (event === '$pageleave') {
    pageview = previousPageview(rnd, s);
  }
  const properties = automaticProperties({
    rnd,
    device: browser.device,
    session: s,
    page: s.page,
    timeMs,
    deviceId: browser.deviceId,
    userId,
    token,
  });
  Object.assign(properties, extra, { $pageview_id: s.pageviewId }, pageview);
  if (event === '$pageview') properties.title = s.page[1];
  properties.$is_identified = Boolean(userId);
  properties.$process_person_profile = Boolean(userId);
  properties.$lib_rate_limit_remaining_tokens = 95 + Math.floor(rnd() * 5);
  // Remote config and flags are in persistence from the second event of a visit on.
  s.configLoaded = true;
  return { uuid, event, properties, timestamp: new Date(timeMs).toISOString() };
}

/**
 * `count` events spread over `spanMs` from `startMs`: `shares.personless` anonymous person-less
 * page views and page leaves of `visitors` browsers, `shares.identified` events of `users`
 * identified users (`${userPrefix}k`) with `$set`, the rest `$identify` of a new browser into
 * one of those users. `expected` is what the project holds once all are stored (a project
 * without persons before).
 */
export function posthogJsMix(
  count,
  { seed, startMs, spanMs = 3_600_000, visitors, users, shares = POSTHOG_JS_SHARES, userPrefix = 'user_', token },
) {
  const rnd = random(seed);
  const anonymous = new Map();
  const identified = new Map();
  const events = [];
  const kinds = { personless: 0, identified: 0, identify: 0 };
  const step = spanMs / count;
  for (let i = 0; i < count; i++) {
    const timeMs = Math.floor(startMs + i * step + rnd() * step);
    const r = rnd();
    if (r < shares.personless) {
      const k = Math.floor(rnd() * visitors);
      if (!anonymous.has(k)) anonymous.set(k, newBrowser(rnd, timeMs));
      const name = rnd() < 0.75 ? '$pageview' : '$pageleave';
      events.push(browserEvent(rnd, anonymous.get(k), timeMs, { name, token }));
      kinds.personless++;
      continue;
    }
    const k = Math.floor(rnd() * users);
    const userId = `${userPrefix}${k}`;
    if (r < shares.personless + shares.identified) {
      let user = identified.get(k);
      if (!user) identified.set(k, (user = { browser: newBrowser(rnd, timeMs), plan: PLANS[k % PLANS.length] }));
      if (rnd() < 0.05) user.plan = PLANS[Math.floor(rnd() * PLANS.length)];
      const name = rnd() < 0.4 ? '$pageview' : CUSTOM_EVENTS[Math.floor(rnd() * CUSTOM_EVENTS.length)];
      const $set = { plan: user.plan, company: `Company ${k % 97}`, role: k % 3 === 0 ? 'engineer' : 'manager' };
      events.push(browserEvent(rnd, user.browser, timeMs, { name, userId, token, extra: { $set } }));
      kinds.identified++;
      continue;
    }
    // A new browser signs in on the page it landed on: posthog-js's identify() from its device id.
    const browser = newBrowser(rnd, timeMs - 5_000);
    landOn(rnd, browser, timeMs - 5_000);
    const e = browserEvent(rnd, browser, timeMs, {
      name: '$identify',
      userId,
      token,
      extra: { $anon_distinct_id: browser.deviceId },
    });
    events.push({ ...e, $set: { email: `${userId}@example.com` }, $set_once: initialPersonInfo(browser.session) });
    identified.set(k, { browser, plan: identified.get(k)?.plan ?? PLANS[k % PLANS.length] });
    kinds.identify++;
  }
  return { events, kinds, expected: expectedOf(events) };
}

/** What a project holds once `events` (a stream's, or its first part) are stored. */
export function expectedOf(events) {
  const persons = new Set();
  let merges = 0;
  for (const e of events) {
    if (e.properties.$process_person_profile) persons.add(e.properties.distinct_id);
    if (e.event === '$identify') merges++;
  }
  return { events: events.length, persons: persons.size, distinct_ids: persons.size + merges, merges };
}
