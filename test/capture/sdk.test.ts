import { describe, expect, it } from 'vitest';
import { API_KEY, fetchWorker } from '../support';

const ORIGIN = 'https://shop.example';
const BOTH = (path: string) => [path, `/ingest${path}`];

describe('CORS', () => {
  const paths = [
    '/e/',
    '/e',
    '/i/v0/e/',
    '/capture/',
    '/track',
    '/engage/',
    '/batch/',
    '/flags/?v=2',
    '/decide/',
    '/array/phc_abc/config',
    '/array/phc_abc/config.js',
    '/static/array.js',
  ];
  for (const path of paths.flatMap(BOTH)) {
    it(`preflight ${path}: 200, origin echoed, credentials allowed`, async () => {
      const res = await fetchWorker(path, {
        method: 'OPTIONS',
        headers: {
          Origin: ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type,x-custom',
        },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe(ORIGIN);
      expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
      expect(res.headers.get('Access-Control-Allow-Headers')).toBe('content-type,x-custom');
      expect(res.headers.get('Access-Control-Allow-Methods')?.split(/,\s*/).sort()).toEqual(['GET', 'OPTIONS', 'POST']);
      expect(res.headers.get('Vary')).toMatch(/Origin/);
    });
  }

  it('echoes the origin on real answers too (the allowed methods and headers only answer a preflight)', async () => {
    for (const path of ['/flags/?v=2', '/e/']) {
      const res = await fetchWorker(path, { method: 'POST', headers: { Origin: 'https://other.example' }, body: '{}' });
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe('https://other.example');
      expect(res.headers.get('Access-Control-Allow-Credentials')).toBe('true');
      expect(res.headers.get('Vary')).toMatch(/Origin/);
      expect(res.headers.get('Access-Control-Allow-Methods')).toBeNull();
    }
  });

  it('leaves /api alone', async () => {
    const res = await fetchWorker('/api/projects/', {
      headers: { Origin: ORIGIN, Authorization: `Bearer ${API_KEY}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull();
    const options = await fetchWorker('/api/projects/', { method: 'OPTIONS', headers: { Origin: ORIGIN } });
    expect(options.headers.get('Access-Control-Allow-Credentials')).toBeNull();
  });
});

describe('SDK start-up answers', () => {
  for (const path of ['/flags/?v=2', '/flags', '/flags/?v=2&config=true'].flatMap(BOTH)) {
    it(`${path} has no flags`, async () => {
      for (const method of ['POST', 'GET']) {
        const res = await fetchWorker(path, {
          method,
          body: method === 'POST' ? '{"token":"phc_x","distinct_id":"d"}' : undefined,
        });
        expect(res.status).toBe(200);
        const body = await res.json<Record<string, unknown>>();
        expect(body).toEqual({
          flags: {},
          errorsWhileComputingFlags: false,
          requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        });
      }
    });
  }

  for (const path of ['/decide/?v=3', '/decide'].flatMap(BOTH)) {
    it(`${path} answers the old start-up shape`, async () => {
      const res = await fetchWorker(path, { method: 'POST', body: 'data=e30%3D' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        config: { enable_collect_everything: true },
        featureFlags: {},
        supportedCompression: ['gzip', 'gzip-js'],
        sessionRecording: false,
        toolbarParams: {},
        isAuthenticated: false,
        siteApps: [],
      });
    });
  }

  const remoteConfig = {
    supportedCompression: ['gzip', 'gzip-js'],
    hasFeatureFlags: false,
    analytics: { endpoint: '/i/v0/e/' },
    sessionRecording: false,
    surveys: false,
    heatmaps: false,
    siteApps: [],
    toolbarParams: {},
    isAuthenticated: false,
    defaultIdentifiedOnly: true,
  };

  for (const path of ['/array/phc_Ab-9_z/config', '/array/phc_Ab-9_z/config/'].flatMap(BOTH)) {
    it(`${path} is the remote config`, async () => {
      const res = await fetchWorker(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(remoteConfig);
    });
  }

  for (const path of BOTH('/array/phc_Ab-9_z/config.js')) {
    it(`${path} sets window._POSTHOG_REMOTE_CONFIG[token]`, async () => {
      const res = await fetchWorker(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/javascript/);
      const script = await res.text();
      expect(script).toContain('window._POSTHOG_REMOTE_CONFIG = window._POSTHOG_REMOTE_CONFIG || {};');
      const m = /window\._POSTHOG_REMOTE_CONFIG\[("[^"]+")\] = (\{.*\});/.exec(script);
      expect(m).not.toBeNull();
      expect(JSON.parse(m![1]!)).toBe('phc_Ab-9_z');
      expect(JSON.parse(m![2]!)).toEqual({ config: remoteConfig, siteApps: [] });
    });
  }
});

describe('first-party SDK scripts', () => {
  for (const path of [
    '/static/array.js',
    '/static/array.js?v=1.449.2',
    '/static/recorder.js',
    '/static/surveys.js',
    '/static/array.full.js',
  ].flatMap(BOTH)) {
    it(`serves ${path} from posthog-js`, async () => {
      const res = await fetchWorker(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toMatch(/^application\/javascript/);
      const text = await res.text();
      expect(text.length).toBeGreaterThan(10_000);
    });
  }

  it('answers GET, HEAD and POST', async () => {
    expect((await fetchWorker('/ingest/static/array.js', { method: 'HEAD' })).status).toBe(200);
    expect((await fetchWorker('/static/array.js/', { method: 'POST' })).status).toBe(200);
  });

  it('serves the posthog-js build that is installed', async () => {
    const text = await (await fetchWorker('/static/array.js')).text();
    expect(text).toContain('1.449.2');
  });

  for (const path of [
    '/static/nope.js',
    '/static/array.js.map',
    '/static/..%2Fpackage.json',
    '/static/integrity.json',
  ]) {
    it(`answers 404 for ${path}`, async () => {
      const res = await fetchWorker(path);
      expect(res.status).toBe(404);
    });
  }
});

describe('health and mounting', () => {
  for (const path of ['/', '/_readiness', '/ingest', '/ingest/', '/ingest/_readiness']) {
    it(`${path} answers 200`, async () => {
      expect((await fetchWorker(path)).status).toBe(200);
    });
  }

  it('keeps /api on the API and out of the prefix', async () => {
    expect((await fetchWorker('/api/projects/', { headers: { Authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
    expect((await fetchWorker('/api/projects/')).status).toBe(401);
    const prefixed = await fetchWorker('/ingest/api/projects/', { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(prefixed.status).toBe(404);
  });

  it('does not treat a path that merely starts with the prefix as prefixed', async () => {
    expect((await fetchWorker('/ingestion/e/', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
