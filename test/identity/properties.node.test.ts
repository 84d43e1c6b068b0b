import { describe, expect, it } from 'vitest';
import {
  applyPropertyUpdates,
  mergeProperties,
  newPersonProperties,
  propertyUpdatesOf,
  type PropertyUpdates,
} from '../../src/identity';
import { eventOf } from '../support/events';

const updates = (u: Partial<PropertyUpdates>): PropertyUpdates => ({ set: {}, setOnce: {}, unset: [], ...u });

describe('propertyUpdatesOf: sources (spec §3)', () => {
  it('reads $set, $set_once and $unset inside properties', () => {
    const e = eventOf({ properties: { $set: { a: 1 }, $set_once: { b: 2 }, $unset: ['c'] } });
    expect(propertyUpdatesOf(e)).toEqual({ set: { a: 1 }, setOnce: { b: 2 }, unset: ['c'] });
  });

  it('reads top-level $set and $set_once', () => {
    const e = eventOf({ $set: { a: 1 }, $set_once: { b: 2 } });
    expect(propertyUpdatesOf(e)).toEqual({ set: { a: 1 }, setOnce: { b: 2 }, unset: [] });
  });

  it('top-level beats properties.* on the same key and keeps the other keys of both', () => {
    const e = eventOf({
      properties: { $set: { plan: 'free', name: 'Max' }, $set_once: { first: 'props', only_props: 1 } },
      $set: { plan: 'pro', email: 'max@hedgehogmail.com' },
      $set_once: { first: 'top', only_top: 2 },
    });
    const u = propertyUpdatesOf(e);
    expect(u.set).toEqual({ plan: 'pro', name: 'Max', email: 'max@hedgehogmail.com' });
    expect(u.setOnce).toEqual({ first: 'top', only_props: 1, only_top: 2 });
  });

  it.each([['a string'], [42], [null], [true], [['a', 'b']]])('ignores a non-object $set / $set_once %j', (bad) => {
    const e = eventOf({ properties: { $set: bad, $set_once: bad }, $set: bad, $set_once: bad });
    expect(propertyUpdatesOf(e)).toEqual({ set: {}, setOnce: {}, unset: [] });
  });

  it('$unset as an array of keys', () => {
    expect(propertyUpdatesOf(eventOf({ properties: { $unset: ['a', 'b'] } })).unset).toEqual(['a', 'b']);
  });

  it('$unset as an object: its keys', () => {
    expect(propertyUpdatesOf(eventOf({ properties: { $unset: { a: 1, b: null } } })).unset).toEqual(['a', 'b']);
  });

  it.each([['a'], [42], [null]])('$unset %j that is neither list nor object unsets nothing', (bad) => {
    expect(propertyUpdatesOf(eventOf({ properties: { $unset: bad } })).unset).toEqual([]);
  });

  it('ignores non-string entries of an $unset list', () => {
    expect(propertyUpdatesOf(eventOf({ properties: { $unset: ['a', 1, null, { b: 1 }] } })).unset).toEqual(['a']);
  });
});

describe('propertyUpdatesOf: automatic person properties (issue #14, PostHog personInitialAndUTMProperties)', () => {
  it.each([
    ['$current_url', '$initial_current_url'],
    ['$pathname', '$initial_pathname'],
    ['$referrer', '$initial_referrer'],
    ['$referring_domain', '$initial_referring_domain'],
    ['$browser', '$initial_browser'],
    ['$browser_version', '$initial_browser_version'],
    ['$os', '$initial_os'],
    ['$os_version', '$initial_os_version'],
    ['$device_type', '$initial_device_type'],
    ['$app_version', '$initial_app_version'],
    ['$raw_user_agent', '$initial_raw_user_agent'],
    ['$screen_width', '$initial_screen_width'],
    ['utm_source', '$initial_utm_source'],
    ['utm_medium', '$initial_utm_medium'],
    ['utm_campaign', '$initial_utm_campaign'],
    ['utm_content', '$initial_utm_content'],
    ['utm_name', '$initial_utm_name'],
    ['utm_term', '$initial_utm_term'],
    ['gclid', '$initial_gclid'],
    ['gad_source', '$initial_gad_source'],
    ['fbclid', '$initial_fbclid'],
    ['msclkid', '$initial_msclkid'],
    ['ttclid', '$initial_ttclid'],
    ['_kx', '$initial__kx'],
    ['sccid', '$initial_sccid'],
  ])('%s on the event is $set, and $set_once as %s', (key, initialKey) => {
    const u = propertyUpdatesOf(eventOf({ properties: { [key]: 'value-1' } }));
    expect(u.setOnce).toEqual({ [initialKey]: 'value-1' });
    expect(u.set).toEqual({ [key]: 'value-1' });
  });

  it('sets nothing for keys not on the list', () => {
    const e = eventOf({
      properties: { $host: 'x.io', $lib: 'web', utm_id: '1', $session_id: 's', $geoip_city_name: 'Oslo' },
    });
    expect(propertyUpdatesOf(e)).toEqual({ set: {}, setOnce: {}, unset: [] });
  });

  it('explicit $set wins over the automatic latest value', () => {
    const e = eventOf({ properties: { $browser: 'Chrome', $set: { $browser: 'Lynx' } } });
    expect(propertyUpdatesOf(e).set).toEqual({ $browser: 'Lynx' });
  });

  it('an explicit $set_once for the $initial_ key wins, inside properties or top level', () => {
    const inProps = eventOf({ properties: { $browser: 'Chrome', $set_once: { $initial_browser: 'Safari' } } });
    const topLevel = eventOf({ properties: { $browser: 'Chrome' }, $set_once: { $initial_browser: 'Firefox' } });
    expect(propertyUpdatesOf(inProps).setOnce).toEqual({ $initial_browser: 'Safari' });
    expect(propertyUpdatesOf(topLevel).setOnce).toEqual({ $initial_browser: 'Firefox' });
  });

  it('only sets once: a person that already has $initial_* keeps it, the latest value moves on', () => {
    const u = propertyUpdatesOf(eventOf({ properties: { utm_source: 'newsletter' } }));
    const result = applyPropertyUpdates({ $initial_utm_source: 'google', utm_source: 'google' }, u);
    expect(result).toEqual({
      properties: { $initial_utm_source: 'google', utm_source: 'newsletter' },
      changed: true,
      ignorable: false,
    });
  });
});

describe('applyPropertyUpdates: updates not written on their own (FILTERED_PERSON_UPDATE_PROPERTIES)', () => {
  const person = {
    $current_url: 'https://a.test/',
    $initial_current_url: 'https://a.test/',
    $browser: 'Chrome',
    $initial_browser: 'Chrome',
    $geoip_city_name: 'Oslo',
    $geoip_latitude: 59.9,
    utm_source: 'x',
  };
  const pageview = (properties: Record<string, unknown>) => propertyUpdatesOf(eventOf({ properties }));

  it('a new URL, browser or coordinates alone is ignorable on a non-person event', () => {
    const r = applyPropertyUpdates(
      person,
      pageview({ $current_url: 'https://a.test/b', $browser: 'Firefox', $initial_browser: 'x' }),
      '$pageview',
    );
    expect(r).toMatchObject({ changed: true, ignorable: true });
    expect(r.properties).toMatchObject({
      $current_url: 'https://a.test/b',
      $browser: 'Firefox',
      $initial_browser: 'Chrome',
    });
    expect(applyPropertyUpdates(person, updates({ set: { $geoip_latitude: 1 } }), 'clicked')).toMatchObject({
      changed: true,
      ignorable: true,
    });
  });

  it('a key the person lacks, a campaign change, a city change, $unset or a person event is written', () => {
    expect(applyPropertyUpdates(person, pageview({ $pathname: '/b' }), '$pageview').ignorable).toBe(false);
    expect(
      applyPropertyUpdates(person, pageview({ $current_url: 'https://a.test/b', utm_source: 'y' }), '$pageview')
        .ignorable,
    ).toBe(false);
    expect(applyPropertyUpdates(person, updates({ set: { $geoip_city_name: 'Bergen' } }), '$pageview').ignorable).toBe(
      false,
    );
    expect(
      applyPropertyUpdates(person, updates({ set: { $browser: 'Safari' }, unset: ['utm_source'] }), '$pageview')
        .ignorable,
    ).toBe(false);
    expect(applyPropertyUpdates(person, updates({ set: { $browser: 'Safari' } }), '$identify').ignorable).toBe(false);
    expect(applyPropertyUpdates(person, updates({ set: { $browser: 'Safari' } }), '$set').ignorable).toBe(false);
    expect(applyPropertyUpdates(person, updates({ set: { $browser: 'Safari' } })).ignorable).toBe(false);
  });

  it('no change is not ignorable', () => {
    expect(applyPropertyUpdates(person, updates({ set: { $browser: 'Chrome' } }), '$pageview')).toMatchObject({
      changed: false,
      ignorable: false,
    });
  });
});

describe('applyPropertyUpdates (spec §3, existing person)', () => {
  it('$set_once only writes keys the person does not have', () => {
    const result = applyPropertyUpdates({ a: 1, n: null }, updates({ setOnce: { a: 2, n: 'x', b: 3 } }));
    expect(result).toEqual({ properties: { a: 1, n: null, b: 3 }, changed: true, ignorable: false });
  });

  it('$set overwrites', () => {
    const result = applyPropertyUpdates({ a: 1, b: 2 }, updates({ set: { a: 10, c: 3 } }));
    expect(result).toEqual({ properties: { a: 10, b: 2, c: 3 }, changed: true, ignorable: false });
  });

  it('$set beats $set_once of the same event on a new key', () => {
    expect(applyPropertyUpdates({}, updates({ setOnce: { a: 'once' }, set: { a: 'set' } })).properties).toEqual({
      a: 'set',
    });
  });

  it('$unset removes keys, after $set', () => {
    const result = applyPropertyUpdates({ a: 1, b: 2, c: 3 }, updates({ set: { c: 30 }, unset: ['a', 'c'] }));
    expect(result).toEqual({ properties: { b: 2 }, changed: true, ignorable: false });
  });

  it.each([
    ['no updates', updates({})],
    ['$set to the same values', updates({ set: { a: 1, obj: { x: [1, { y: 2 }] } } })],
    ['$set_once on keys it has', updates({ setOnce: { a: 99, obj: {} } })],
    ['$unset of keys it lacks', updates({ unset: ['missing'] })],
  ])('changed=false for %s', (_name, u) => {
    const person = { a: 1, obj: { x: [1, { y: 2 }] } };
    expect(applyPropertyUpdates(person, u)).toEqual({ properties: person, changed: false, ignorable: false });
  });

  it.each([
    ['nested value', { obj: { x: [1, { y: 3 }] } }],
    ['array to object', { list: { 0: 'a' } }],
    ['value to null', { a: null }],
    ['number to string', { a: '1' }],
  ])('changed=true when $set changes a %s', (_name, set) => {
    const person = { a: 1, obj: { x: [1, { y: 2 }] }, list: ['a'] };
    expect(applyPropertyUpdates(person, updates({ set })).changed).toBe(true);
  });

  it('never mutates its inputs', () => {
    const person = { a: 1, b: 2 };
    const u = updates({ set: { a: 2 }, setOnce: { c: 3 }, unset: ['b'] });
    const before = structuredClone({ person, u });
    applyPropertyUpdates(person, u);
    expect({ person, u }).toEqual(before);
  });

  it('stores a "__proto__" key from JSON as a plain property', () => {
    const u = updates({
      set: JSON.parse('{"__proto__": {"polluted": true}}'),
      setOnce: JSON.parse('{"__proto__": 1}'),
    });
    const { properties } = applyPropertyUpdates({}, u);
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
    expect(Object.hasOwn(properties, '__proto__')).toBe(true);
    expect((properties as { polluted?: unknown }).polluted).toBeUndefined();
  });
});

describe('newPersonProperties (spec §3, creating a person)', () => {
  it('is $set_once then $set, plus $creator_event_uuid', () => {
    const u = updates({ setOnce: { a: 'once', b: 'once' }, set: { b: 'set' }, unset: ['a'] });
    expect(newPersonProperties(u, 'event-1')).toEqual({ a: 'once', b: 'set', $creator_event_uuid: 'event-1' });
  });
});

describe('mergeProperties (spec §2)', () => {
  it('keeps every key of both; the target wins on a conflict', () => {
    expect(mergeProperties({ a: 'S', s: 1 }, { a: 'T', t: 2 })).toEqual({ a: 'T', s: 1, t: 2 });
  });
});
