import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN_PROPERTIES,
  EVENT_TO_PERSON_PROPERTIES,
  GEOIP_KEYS,
  automaticPersonUpdates,
} from '../../src/identity';

// PostHog's lists (nodejs/src/common/persons/person-property-utils.ts), written out again so a
// change to ours shows here.
const POSTHOG_EVENT_TO_PERSON = [
  '$app_build',
  '$app_name',
  '$app_namespace',
  '$app_version',
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
];
const POSTHOG_CAMPAIGN = [
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
];

const geo = {
  $ip: '198.51.100.23',
  $geoip_country_code: 'NL',
  $geoip_country_name: 'Netherlands',
  $geoip_city_name: 'Amsterdam',
  $geoip_latitude: 52.37,
};

describe('automaticPersonUpdates', () => {
  it("lifts exactly PostHog's keys", () => {
    expect([...EVENT_TO_PERSON_PROPERTIES]).toEqual(POSTHOG_EVENT_TO_PERSON);
    expect([...CAMPAIGN_PROPERTIES]).toEqual(POSTHOG_CAMPAIGN);
    const every = Object.fromEntries(
      [...POSTHOG_EVENT_TO_PERSON, ...POSTHOG_CAMPAIGN].filter((k) => k !== '$os_name').map((k, i) => [k, `v${i}`]),
    );
    const u = automaticPersonUpdates({ ...every, $lib: 'web', $session_id: 's', $host: 'h', utm_id: 'x', other: 1 });
    expect(u.set).toEqual(every);
    expect(Object.keys(u.setOnce).sort()).toEqual(
      Object.keys(every)
        .map((k) => `$initial_${k.replace('$', '')}`)
        .sort(),
    );
  });

  it('a posthog-js pageview', () => {
    const u = automaticPersonUpdates({
      $browser: 'Chrome',
      $browser_version: 126,
      $os: 'Mac OS X',
      $os_version: '14.5.0',
      $device_type: 'Desktop',
      $current_url: 'https://shop.test/p?utm_source=news',
      $pathname: '/p',
      $referrer: '$direct',
      $referring_domain: '$direct',
      utm_source: 'news',
      utm_medium: null,
      $lib: 'web',
      $session_id: 'abc',
    });
    expect(u.set).toEqual({
      $browser: 'Chrome',
      $browser_version: 126,
      $os: 'Mac OS X',
      $os_version: '14.5.0',
      $device_type: 'Desktop',
      $current_url: 'https://shop.test/p?utm_source=news',
      $pathname: '/p',
      $referrer: '$direct',
      $referring_domain: '$direct',
      utm_source: 'news',
      // An absent campaign parameter clears the latest value...
      utm_medium: null,
    });
    // ...but never blocks the first-touch one.
    expect(u.setOnce).toEqual({
      $initial_browser: 'Chrome',
      $initial_browser_version: 126,
      $initial_os: 'Mac OS X',
      $initial_os_version: '14.5.0',
      $initial_device_type: 'Desktop',
      $initial_current_url: 'https://shop.test/p?utm_source=news',
      $initial_pathname: '/p',
      $initial_referrer: '$direct',
      $initial_referring_domain: '$direct',
      $initial_utm_source: 'news',
    });
  });

  it('$os_name stands in for a missing or null $os and never lands on the person', () => {
    expect(automaticPersonUpdates({ $os_name: 'iOS' })).toEqual({
      set: { $os: 'iOS' },
      setOnce: { $initial_os: 'iOS' },
    });
    expect(automaticPersonUpdates({ $os: null, $os_name: 'iOS' })).toEqual({
      set: { $os: null },
      setOnce: { $initial_os: 'iOS' },
    });
    expect(automaticPersonUpdates({ $os: 'Android', $os_name: 'iOS' })).toEqual({
      set: { $os: 'Android' },
      setOnce: { $initial_os: 'Android' },
    });
  });

  it('server SDK events ($is_server) lift no host OS', () => {
    const u = automaticPersonUpdates({
      $is_server: true,
      $os: 'Linux',
      $os_version: '6.1',
      $os_name: 'Linux',
      utm_source: 'api',
      $current_url: 'https://x.test/',
    });
    expect(u).toEqual({
      set: { utm_source: 'api', $current_url: 'https://x.test/' },
      setOnce: { $initial_utm_source: 'api', $initial_current_url: 'https://x.test/' },
    });
    expect(automaticPersonUpdates({ $is_server: false, $os: 'Linux' }).set).toEqual({ $os: 'Linux' });
  });

  it('GeoIP: every $geoip_* key as $set (clearing stale ones), the known ones once as $initial_geoip_*', () => {
    const u = automaticPersonUpdates(geo);
    expect(u.set).toEqual({
      ...Object.fromEntries(GEOIP_KEYS.map((k) => [k, null])),
      $geoip_country_code: 'NL',
      $geoip_country_name: 'Netherlands',
      $geoip_city_name: 'Amsterdam',
      $geoip_latitude: 52.37,
    });
    expect(u.setOnce).toEqual({
      $initial_geoip_country_code: 'NL',
      $initial_geoip_country_name: 'Netherlands',
      $initial_geoip_city_name: 'Amsterdam',
      $initial_geoip_latitude: 52.37,
    });
  });

  it('no GeoIP with $geoip_disable, without an $ip (anonymised projects) or without a location', () => {
    expect(automaticPersonUpdates({ ...geo, $geoip_disable: true })).toEqual({ set: {}, setOnce: {} });
    const { $ip: _ip, ...noIp } = geo;
    expect(automaticPersonUpdates(noIp)).toEqual({ set: {}, setOnce: {} });
    expect(automaticPersonUpdates({ $ip: '198.51.100.23' })).toEqual({ set: {}, setOnce: {} });
    expect(automaticPersonUpdates({ $ip: '198.51.100.23', $geoip_country_code: null })).toEqual({
      set: {},
      setOnce: {},
    });
  });

  it('only own properties count (no prototype keys)', () => {
    const props = JSON.parse('{"__proto__": {"$browser": "evil"}, "constructor": 1}');
    expect(automaticPersonUpdates(props)).toEqual({ set: {}, setOnce: {} });
  });
});
