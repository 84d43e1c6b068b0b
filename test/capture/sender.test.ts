import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { senderOf, proxyConfigProblem, proxyTrustOf } from '../../src/capture/sender';
import { parseIp } from '../../src/capture/ip';

const PROXY = '10.1.2.3';
const trusted = { TRUSTED_PROXIES: '10.0.0.0/8, 2001:db8:ffff::/48 192.0.2.7' };
const SECRET = 'a-long-shared-proxy-secret';

function request(headers: Record<string, string>, cf?: Record<string, string>): Request {
  return new Request('http://ingest.test/e/', { method: 'POST', headers, cf } as RequestInit);
}

describe('proxy config', () => {
  it('is validated, naming the bad entry', () => {
    expect(proxyConfigProblem({ TRUSTED_PROXIES: '10.0.0.0/8, 10.0.0.0/99' })).toMatch(
      /"10\.0\.0\.0\/99" is not an IP address or CIDR/,
    );
    expect(proxyConfigProblem({ PROXY_SECRET: 'short' })).toMatch(/PROXY_SECRET/);
    expect(proxyConfigProblem({ TRUSTED_PROXIES: ' 10.0.0.0/8,,192.0.2.1 ', PROXY_SECRET: SECRET })).toBeUndefined();
    expect(proxyTrustOf({ TRUSTED_PROXIES: '10.0.0.0/8 ::1' }).cidrs).toHaveLength(2);
  });

  it('fails closed: a broken config trusts no proxy', () => {
    const client = senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '203.0.113.9' }), {
      TRUSTED_PROXIES: '10.0.0.0/8 garbage',
    });
    expect(client).toMatchObject({ ip: PROXY, viaProxy: false });
  });
});

describe('senderOf', () => {
  const cf = { country: 'DE', city: 'Frankfurt am Main', continent: 'EU' };

  it('uses CF-Connecting-IP and request.cf for a direct sender, ignoring forwarding headers', () => {
    const spoof = {
      'X-Forwarded-For': '1.1.1.1',
      'X-Real-IP': '1.1.1.1',
      'X-Vercel-IP-Country': 'US',
      'CF-IPCountry': 'US',
      'X-Proxy-Secret': 'wrong-secret-but-long-enough',
    };
    const client = senderOf(request({ 'CF-Connecting-IP': '203.0.113.9', ...spoof }, cf), {
      ...trusted,
      PROXY_SECRET: SECRET,
    });
    expect(client).toEqual({
      ip: '203.0.113.9',
      viaProxy: false,
      geo: expect.objectContaining({ $geoip_country_code: 'DE', $geoip_city_name: 'Frankfurt am Main' }),
    });
  });

  it("keeps a direct sender's location per address for a while (request.cf is parsed once, not per request)", () => {
    const first = senderOf(request({ 'CF-Connecting-IP': '198.51.100.201' }, { country: 'JP', city: 'Osaka' }), {});
    const again = senderOf(request({ 'CF-Connecting-IP': '198.51.100.201' }, { country: 'FR', city: 'Lyon' }), {});
    const other = senderOf(request({ 'CF-Connecting-IP': '198.51.100.202' }, { country: 'FR', city: 'Lyon' }), {});
    expect(first.geo).toMatchObject({ $geoip_country_code: 'JP', $geoip_city_name: 'Osaka' });
    expect(again.geo).toEqual(first.geo);
    expect(other.geo).toMatchObject({ $geoip_country_code: 'FR', $geoip_city_name: 'Lyon' });
  });

  it('with no proxies configured, forwarding headers change nothing', () => {
    const client = senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '1.1.1.1' }), {});
    expect(client.ip).toBe(PROXY);
  });

  it('takes the client from X-Forwarded-For when the peer is a trusted proxy, and the geo it forwards', () => {
    const client = senderOf(
      request(
        {
          'CF-Connecting-IP': PROXY,
          'X-Forwarded-For': '198.51.100.23',
          'X-Vercel-IP-Country': 'jp',
          'X-Vercel-IP-City': 'T%C5%8Dky%C5%8D',
          'X-Vercel-IP-Latitude': '35.6895',
          'X-Vercel-IP-Longitude': '139.6917',
          'X-Vercel-IP-Timezone': 'Asia/Tokyo',
          'X-Vercel-IP-Country-Region': '13',
          'X-Vercel-IP-Continent': 'AS',
        },
        cf,
      ),
      trusted,
    );
    expect(client).toEqual({
      ip: '198.51.100.23',
      viaProxy: true,
      geo: {
        $geoip_country_code: 'JP',
        $geoip_country_name: 'Japan',
        $geoip_continent_code: 'AS',
        $geoip_continent_name: 'Asia',
        $geoip_city_name: 'Tōkyō',
        $geoip_subdivision_1_code: '13',
        $geoip_time_zone: 'Asia/Tokyo',
        $geoip_latitude: 35.6895,
        $geoip_longitude: 139.6917,
      },
    });
  });

  it("never uses the proxy's own request.cf location: no forwarded geo means no geo", () => {
    const client = senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '198.51.100.23' }, cf), trusted);
    expect(client).toEqual({ ip: '198.51.100.23', viaProxy: true, geo: {} });
  });

  it("reads Cloudflare's CF-IPCountry family and Netlify's X-Nf-Geo", () => {
    const cfHeaders = {
      'CF-IPCountry': 'GB',
      'CF-IPCity': 'London',
      'CF-IPContinent': 'EU',
      'CF-Region': 'England',
      'CF-Region-Code': 'ENG',
      'CF-Postal-Code': 'EC1A',
      'CF-Timezone': 'Europe/London',
      'CF-IPLatitude': '51.5',
      'CF-IPLongitude': '-0.12',
    };
    expect(
      senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '198.51.100.1', ...cfHeaders }), trusted).geo,
    ).toEqual({
      $geoip_country_code: 'GB',
      $geoip_country_name: 'United Kingdom',
      $geoip_continent_code: 'EU',
      $geoip_continent_name: 'Europe',
      $geoip_city_name: 'London',
      $geoip_subdivision_1_code: 'ENG',
      $geoip_subdivision_1_name: 'England',
      $geoip_postal_code: 'EC1A',
      $geoip_time_zone: 'Europe/London',
      $geoip_latitude: 51.5,
      $geoip_longitude: -0.12,
    });
    const nf = utf8Base64(
      JSON.stringify({
        city: 'Paris',
        country: { code: 'FR', name: 'France' },
        subdivision: { code: 'IDF', name: 'Île-de-France' },
        timezone: 'Europe/Paris',
        latitude: 48.85,
        longitude: 2.35,
        postal_code: '75001',
      }),
    );
    const netlify = senderOf(
      request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '198.51.100.1', 'X-Nf-Geo': nf }),
      trusted,
    ).geo;
    expect(netlify).toMatchObject({
      $geoip_country_code: 'FR',
      $geoip_city_name: 'Paris',
      $geoip_subdivision_1_code: 'IDF',
      $geoip_subdivision_1_name: 'Île-de-France',
      $geoip_postal_code: '75001',
      $geoip_latitude: 48.85,
    });
  });

  it('drops malformed geo values instead of storing them', () => {
    const client = senderOf(
      request({
        'CF-Connecting-IP': PROXY,
        'X-Forwarded-For': '198.51.100.1',
        'X-Vercel-IP-Country': 'US',
        'X-Vercel-IP-City': '%E0%A4%A',
        'X-Vercel-IP-Latitude': '1e999',
        'X-Vercel-IP-Longitude': '200',
        'X-Vercel-IP-Timezone': '<b>x</b>',
        'X-Vercel-IP-Continent': 'XX',
        'X-Vercel-IP-Postal-Code': 'p'.repeat(500),
      }),
      trusted,
    );
    expect(client.geo).toEqual({ $geoip_country_code: 'US', $geoip_country_name: 'United States' });
    for (const country of ['USA', 'X', '<>', 'XX', '']) {
      expect(
        senderOf(
          request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '198.51.100.1', 'CF-IPCountry': country }),
          trusted,
        ).geo,
        country,
      ).toEqual({});
    }
    expect(
      senderOf(
        request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': '198.51.100.1', 'X-Nf-Geo': '!!not base64' }),
        trusted,
      ).geo,
    ).toEqual({});
  });

  it('walks X-Forwarded-For from the right past trusted proxies; entries the client wrote itself cannot spoof', () => {
    const from = (xff: string, extra: Record<string, string> = {}) =>
      senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': xff, ...extra }), trusted).ip;
    // The client sent "X-Forwarded-For: 1.1.1.1"; its proxy appended what it saw.
    expect(from('1.1.1.1, 198.51.100.23')).toBe('198.51.100.23');
    expect(from('1.1.1.1, 198.51.100.23, 10.9.9.9, 192.0.2.7')).toBe('198.51.100.23');
    expect(from('garbage, 198.51.100.23')).toBe('198.51.100.23');
    // Cloudflare appends the peer it saw (the proxy) to the header.
    expect(from(`198.51.100.23, ${PROXY}`)).toBe('198.51.100.23');
    expect(from('  [2001:db8:1::7]:8443 ,10.0.0.1')).toBe('2001:db8:1::7');
    expect(from('2001:db8:ffff:1::1, 2001:0db8:0001:0000:0000:0000:0000:0009')).toBe('2001:db8:1::9');
    // Only trusted hops: the leftmost of them.
    expect(from('10.0.0.5, 10.0.0.6')).toBe('10.0.0.5');
    // Garbage right of the client, where only trusted proxies write: unknown, not a guess.
    expect(from('198.51.100.23, unknown')).toBeNull();
    expect(from('198.51.100.23, ')).toBeNull();
    // Empty X-Forwarded-For: X-Real-IP, if it is an address.
    expect(from('', { 'X-Real-IP': '198.51.100.44' })).toBe('198.51.100.44');
    expect(from(' ', { 'X-Real-IP': 'nope' })).toBeNull();
    expect(senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Real-IP': '2001:db8::44' }), trusted).ip).toBe(
      '2001:db8::44',
    );
    expect(senderOf(request({ 'CF-Connecting-IP': PROXY }), trusted)).toEqual({ ip: null, geo: {}, viaProxy: true });
  });

  it('reads only the right end of a huge or many-hop header', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `1.1.${(i >> 8) & 255}.${i & 255}`).join(', ');
    expect(many.length).toBeGreaterThan(50_000);
    const from = (xff: string) => senderOf(request({ 'CF-Connecting-IP': PROXY, 'X-Forwarded-For': xff }), trusted).ip;
    expect(from(`${many}, 198.51.100.23`)).toBe('198.51.100.23');
    expect(from(`${'x'.repeat(60_000)}, 198.51.100.23, 10.0.0.1`)).toBe('198.51.100.23');
    // More trusted hops than are read: the leftmost one read.
    const trustedHops = Array.from({ length: 100 }, (_, i) => `10.0.0.${i}`).join(',');
    expect(from(`198.51.100.23,${trustedHops}`)).toBe('10.0.0.68');
  });

  it('trusts a proxy that sends the shared secret, wherever it connects from', () => {
    const env = { PROXY_SECRET: SECRET };
    const headers = {
      'CF-Connecting-IP': '2a06:98c0:3600::103',
      'X-Forwarded-For': '198.51.100.23, 2a06:98c0:3600::103',
      'CF-IPCountry': 'BR',
    };
    expect(senderOf(request({ ...headers, 'X-Proxy-Secret': SECRET }), env)).toMatchObject({
      ip: '198.51.100.23',
      viaProxy: true,
      geo: { $geoip_country_code: 'BR' },
    });
    for (const wrong of [SECRET.slice(0, -1), `${SECRET}x`, SECRET.toUpperCase(), '']) {
      expect(senderOf(request({ ...headers, 'X-Proxy-Secret': wrong }), env)).toMatchObject({
        ip: '2a06:98c0:3600::103',
        viaProxy: false,
      });
    }
  });
});

describe('senderOf on arbitrary forwarding headers', () => {
  it('never throws, and yields only a well-formed address or none, from a trusted proxy or not', () => {
    const headerText = fc.string({ unit: fc.constantFrom(...'0123456789abcdef.:,[]% -xX'.split('')), maxLength: 300 });
    const anyText = fc.oneof(
      headerText,
      fc.string({ maxLength: 200 }).map((t) => t.replace(/[^\x20-\x7e]/g, '')),
    );
    const address = fc.oneof(fc.ipV4(), fc.ipV6());
    const hops = fc.array(fc.oneof(address, anyText), { maxLength: 50 }).map((list) => list.join(', '));
    fc.assert(
      fc.property(
        fc.oneof(address, anyText),
        hops,
        anyText,
        anyText,
        anyText,
        fc.boolean(),
        (peer, xff, realIp, country, nfGeo, withSecret) => {
          const headers: Record<string, string> = {
            'CF-Connecting-IP': peer,
            'X-Forwarded-For': xff,
            'X-Real-IP': realIp,
            'CF-IPCountry': country,
            'X-Vercel-IP-City': country,
            'X-Nf-Geo': nfGeo,
          };
          if (withSecret) headers['X-Proxy-Secret'] = SECRET;
          const client = senderOf(request(headers), { TRUSTED_PROXIES: '10.0.0.0/8 fc00::/7', PROXY_SECRET: SECRET });
          if (client.ip !== null) expect(parseIp(client.ip)?.text).toBe(client.ip);
          for (const value of Object.values(client.geo))
            expect(typeof value === 'number' ? Number.isFinite(value) : value.length <= 128).toBe(true);
          if (!client.viaProxy) expect(client.ip).toBe(parseIp(peer)?.text ?? null);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

function utf8Base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}
