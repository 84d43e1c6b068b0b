// What posthog-js (1.449.2, the version in package.json) puts on a browser event, property by
// property, in its own order: names and value shapes read from events it sent from Chromium
// (a $pageview, a custom event, $identify, $pageleave) with remote config, the values varying the
// way they vary between browsers, pages and sessions. Left out, to keep the ~1,400-byte events of
// issue #27: the SDK's own debug and setup keys ($sdk_debug_*, $sdk_dist_channel,
// $initialization_time, $config_defaults, $recording_status, $lib_custom_api_host) and feature
// flags ($active_feature_flags, $feature/*), which add 300–500 bytes to an event when present.

export const LIB_VERSION = '1.449.2';
export const HOST = 'www.example.com';
const ORIGIN = `https://${HOST}`;

/** Browser profiles: [weight, $browser, $browser_version, $os, $os_version, $device_type, UA, screens]. */
const BROWSERS = [
  [
    30,
    'Chrome',
    131,
    'Mac OS X',
    '10.15.7',
    'Desktop',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    [
      [1512, 982],
      [1440, 900],
      [1728, 1117],
    ],
  ],
  [
    22,
    'Chrome',
    131,
    'Windows',
    '10.0',
    'Desktop',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
    [
      [1920, 1080],
      [1536, 864],
      [2560, 1440],
    ],
  ],
  [
    16,
    'Mobile Safari',
    18.1,
    'iOS',
    '18.1.1',
    'Mobile',
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1.1 Mobile/15E148 Safari/604.1',
    [
      [390, 844],
      [393, 852],
      [430, 932],
    ],
  ],
  [
    10,
    'Chrome',
    131,
    'Android',
    '14.0.0',
    'Mobile',
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    [
      [412, 915],
      [384, 832],
    ],
  ],
  [
    9,
    'Safari',
    18.1,
    'Mac OS X',
    '10.15.7',
    'Desktop',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    [
      [1512, 982],
      [1440, 900],
    ],
  ],
  [
    7,
    'Firefox',
    133,
    'Windows',
    '10.0',
    'Desktop',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
    [
      [1920, 1080],
      [1366, 768],
    ],
  ],
  [
    6,
    'Microsoft Edge',
    131,
    'Windows',
    '10.0',
    'Desktop',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
    [[1920, 1080]],
  ],
];

/** [language, timezone, offset in minutes as posthog-js reports it (UTC minus local)]. */
const LOCALES = [
  ['en-US', 'America/New_York', 300],
  ['en-US', 'America/Los_Angeles', 480],
  ['en-US', 'America/Chicago', 360],
  ['en-GB', 'Europe/London', 0],
  ['de-DE', 'Europe/Berlin', -60],
  ['fr-FR', 'Europe/Paris', -60],
  ['en-IN', 'Asia/Kolkata', -330],
  ['pt-BR', 'America/Sao_Paulo', 180],
  ['ja-JP', 'Asia/Tokyo', -540],
];

/** [path, title, weight]: where page views land. */
const PAGES = [
  ['/', 'Example – Product analytics for engineers', 20],
  ['/pricing', 'Pricing – Example', 10],
  ['/docs', 'Documentation – Example', 8],
  ['/docs/getting-started/install', 'Install the snippet – Example Docs', 6],
  ['/docs/api/events', 'Events API – Example Docs', 5],
  ['/blog', 'Blog – Example', 5],
  ['/blog/2026/how-we-cut-ingestion-costs', 'How we cut ingestion costs – Example Blog', 4],
  ['/signup', 'Sign up – Example', 4],
  ['/login', 'Log in – Example', 6],
  ['/app/dashboards', 'Dashboards – Example', 12],
  ['/app/insights/new', 'New insight – Example', 8],
  ['/app/settings/project', 'Project settings – Example', 3],
  ['/customers/acme', 'Acme Corp case study – Example', 2],
  ['/changelog', 'Changelog – Example', 3],
];

/** [$referrer, $referring_domain, weight] of a session's first page. */
const REFERRERS = [
  ['$direct', '$direct', 45],
  ['https://www.google.com/', 'www.google.com', 30],
  ['https://news.ycombinator.com/', 'news.ycombinator.com', 6],
  ['https://t.co/', 't.co', 5],
  ['https://www.linkedin.com/', 'www.linkedin.com', 5],
  ['https://github.com/', 'github.com', 5],
  ['https://duckduckgo.com/', 'duckduckgo.com', 4],
];

/** A session that arrives from a campaign: its landing URL carries these. */
const CAMPAIGNS = [
  { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'december-digest' },
  { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'brand-search' },
  { utm_source: 'linkedin', utm_medium: 'social', utm_campaign: 'launch-week' },
];
/** Every campaign key posthog-js reports when a URL has any (the rest as null), in its order. */
const CAMPAIGN_KEYS = [
  'li_fat_id',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'gad_source',
  'mc_cid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'fbclid',
  'msclkid',
  'twclid',
  'igshid',
  'ttclid',
  'rdt_cid',
  'epik',
  'qclid',
  'sccid',
  'oppref',
  'bfcid',
  'irclid',
  '_kx',
];

export function weighted(rnd, rows, weightAt) {
  const total = rows.reduce((a, r) => a + r[weightAt], 0);
  let x = rnd() * total;
  for (const row of rows) {
    x -= row[weightAt];
    if (x < 0) return row;
  }
  return rows[rows.length - 1];
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/** What stays with a browser: its user agent, screen, language and time zone. */
export function newDevice(rnd) {
  const [, browser, version, os, osVersion, deviceType, userAgent, screens] = weighted(rnd, BROWSERS, 0);
  const [width, height] = pick(rnd, screens);
  const [language, timezone, offset] = pick(rnd, LOCALES);
  const chrome = deviceType === 'Mobile' ? 0 : 64 + Math.floor(rnd() * 60);
  return { browser, version, os, osVersion, deviceType, userAgent, width, height, chrome, language, timezone, offset };
}

/** A session's landing: referrer, page and (sometimes) campaign. */
export function newLanding(rnd) {
  const [referrer, referringDomain] = weighted(rnd, REFERRERS, 2);
  const campaign = rnd() < 0.1 ? pick(rnd, CAMPAIGNS) : undefined;
  return { referrer, referringDomain, page: weighted(rnd, PAGES, 2), campaign };
}

export const nextPage = (rnd) => weighted(rnd, PAGES, 2);

/** The URL of a page, with the campaign's query on the landing page only. */
export function urlOf(page, campaign) {
  const query = campaign ? `?${new URLSearchParams(campaign)}` : '';
  return `${ORIGIN}${page[0]}${query}`;
}

/** posthog-js's `$insert_id`: 16 base-36 characters. */
export function insertId(rnd) {
  let s = '';
  for (let i = 0; i < 16; i++) s += Math.floor(rnd() * 36).toString(36);
  return s;
}

/** The campaign keys of a URL that has any: the present ones, every other as null. */
function campaignProperties(campaign) {
  return Object.fromEntries(CAMPAIGN_KEYS.map((key) => [key, campaign[key] ?? null]));
}

/**
 * The properties posthog-js sends with every event (`ctx`: device, session, page, ids, time),
 * up to the page view's own (`$pageview_id`, `$prev_pageview_*`, `title`) and the identity
 * flags at the end, which the mix adds.
 */
export function automaticProperties(ctx) {
  const { device: d, session: s, page, rnd } = ctx;
  const onLanding = s.pages === 1;
  const url = urlOf(page, onLanding ? s.landing.campaign : undefined);
  const p = {
    $os: d.os,
    $os_version: d.osVersion,
    $browser: d.browser,
    $device_type: d.deviceType,
    $timezone: d.timezone,
    $timezone_offset: d.offset,
    $current_url: url,
    $host: HOST,
    $pathname: page[0],
    $raw_user_agent: d.userAgent,
    $browser_version: d.version,
    $browser_language: d.language,
    $browser_language_prefix: d.language.slice(0, 2),
    $screen_height: d.height,
    $screen_width: d.width,
    $viewport_height: d.height - d.chrome,
    $viewport_width: d.width,
    $lib: 'web',
    $lib_version: LIB_VERSION,
    $insert_id: insertId(rnd),
    $time: ctx.timeMs / 1000,
    $configured_session_timeout_ms: 1800000,
    distinct_id: ctx.userId ?? ctx.deviceId,
    $device_id: ctx.deviceId,
  };
  if (ctx.userId) p.$user_id = ctx.userId;
  if (onLanding && s.landing.campaign) Object.assign(p, campaignProperties(s.landing.campaign));
  p.$referrer = s.landing.referrer;
  p.$referring_domain = s.landing.referringDomain;
  // Remote config and flags arrive after the first page view of a visit, and persist.
  if (s.configLoaded) {
    Object.assign(p, {
      $autocapture_disabled_server_side: false,
      $web_vitals_enabled_server_side: true,
      $web_vitals_allowed_metrics: null,
      $exception_capture_enabled_server_side: false,
      $dead_clicks_enabled_server_side: true,
    });
  }
  p.token = ctx.token;
  p.$session_id = s.id;
  p.$window_id = s.windowId;
  p.$session_entry_referrer = s.landing.referrer;
  p.$session_entry_referring_domain = s.landing.referringDomain;
  p.$session_entry_url = urlOf(s.landing.page, s.landing.campaign);
  p.$session_entry_host = HOST;
  p.$session_entry_pathname = s.landing.page[0];
  for (const [key, value] of Object.entries(s.landing.campaign ?? {})) p[`$session_entry_${key}`] = value;
  return p;
}

/** posthog-js's `$prev_pageview_*` for the page being left (scroll and content depth, time on page). */
export function previousPageview(rnd, s) {
  const content = 800 + Math.floor(rnd() * 4000);
  const scroll = Math.floor(rnd() * content);
  const maxScroll = Math.max(scroll, Math.floor(rnd() * content));
  const share = (x) => Math.round((x / content) * 100) / 100;
  return {
    $prev_pageview_id: s.pageviewId,
    $prev_pageview_last_scroll: scroll,
    $prev_pageview_last_scroll_percentage: share(scroll),
    $prev_pageview_max_scroll: maxScroll,
    $prev_pageview_max_scroll_percentage: share(maxScroll),
    $prev_pageview_last_content: content,
    $prev_pageview_last_content_percentage: 1,
    $prev_pageview_max_content: content,
    $prev_pageview_max_content_percentage: 1,
    $prev_pageview_pathname: s.pathname,
    $prev_pageview_duration: Math.round(rnd() * 120_000) / 1000,
  };
}

/** `$identify`'s `$set_once`: the first touch, as posthog-js sends it (every campaign key). */
export function initialPersonInfo(s) {
  const url = urlOf(s.landing.page, s.landing.campaign);
  const campaign = campaignProperties(s.landing.campaign ?? {});
  return {
    $initial_referrer: s.landing.referrer,
    $initial_referring_domain: s.landing.referringDomain,
    $initial_current_url: url,
    $initial_host: HOST,
    $initial_pathname: s.landing.page[0],
    ...Object.fromEntries(Object.entries(campaign).map(([k, v]) => [`$initial_${k}`, v])),
    $referrer: s.landing.referrer,
    $referring_domain: s.landing.referringDomain,
    $current_url: url,
    $host: HOST,
    $pathname: s.landing.page[0],
    ...campaign,
  };
}
