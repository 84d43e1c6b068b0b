// A customer's website on its own localhost port: it serves a page that loads posthog-js and
// reverse-proxies `/ingest/*` to the service, so the SDK talks to its own origin (first-party),
// the way a site mounts PostHog behind `https://example.com/ingest`. The proxy also records
// what the SDK sent and what the service answered, so suites can wait for delivery and show
// exactly which request failed.
import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { decodeCapture, type SentEvent } from './capture-payload';

export type { SentEvent };

const posthogDist = path.resolve(import.meta.dirname, '../../../node_modules/posthog-js/dist');

/** How the page gets posthog-js: bundled by the site from npm, or the official snippet loading
 * `/ingest/static/array.js` from the service itself. */
export type SdkLoading = 'bundled' | 'snippet';

export interface ProxiedRequest {
  method: string;
  /** Path and query as the browser sent them (starting with /ingest). */
  url: string;
  status: number;
  /** Events decoded from a capture request body; empty for other requests. */
  events: SentEvent[];
  decodeError?: string;
  responseBody: string;
}

export interface Site {
  origin: string;
  requests: ProxiedRequest[];
  /** Events the service accepted (200 or beacon 204), in the order they were sent. */
  acceptedEvents(): SentEvent[];
  /** Resolves once every proxied request has its answer (or after `timeout` ms). */
  settled(timeout?: number): Promise<void>;
  close(): Promise<void>;
}

const CAPTURE_PATH = /^\/ingest\/(e|i\/v0\/e|batch|capture|track|engage)\/?$/;

/**
 * How the site's proxy forwards the visitor, like a host in front of the service would:
 * it appends the address it saw (here a stand-in public address, as every browser is local)
 * to X-Forwarded-For, adds location headers the way Vercel does, and sends the shared secret.
 */
export interface Forwarding {
  secret: string;
  visitorIp: string;
  geo?: Record<string, string>;
}

export interface SiteOptions {
  upstream: string;
  token: string;
  sdk: SdkLoading;
  /** Extra `posthog.init` options (e.g. `cookieless_mode`). */
  config?: Record<string, unknown>;
  /** Forward the visitor as a trusted reverse proxy does (else plain pass-through). */
  forward?: Forwarding;
}

export async function startSite(options: SiteOptions): Promise<Site> {
  const upstream = new URL(options.upstream);
  const requests: ProxiedRequest[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://site.local');
    if (url.pathname === '/ingest' || url.pathname.startsWith('/ingest/')) {
      proxy(req, res, upstream, requests, options.forward).catch((err) => {
        res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`proxy error: ${err}`);
      });
    } else if (url.pathname === '/vendor/posthog-js/array.full.js') {
      readFile(path.join(posthogDist, 'array.full.js')).then(
        (js) => res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(js),
        (err) => res.writeHead(500).end(String(err)),
      );
    } else if (req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(url.pathname, options));
    } else {
      res.writeHead(405).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    // "localhost" rather than 127.0.0.1: a real hostname for cookies and $host.
    origin: `http://localhost:${port}`,
    requests,
    acceptedEvents: () => requests.filter((r) => r.status === 200 || r.status === 204).flatMap((r) => r.events),
    async settled(timeout = 10_000) {
      const deadline = Date.now() + timeout;
      while (requests.some((r) => r.status === 0) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function proxy(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  log: ProxiedRequest[],
  forward?: Forwarding,
): Promise<void> {
  const body = await readBody(req);
  const headers: Record<string, string | string[] | undefined> = {
    ...req.headers,
    host: upstream.host,
    'x-forwarded-host': req.headers.host,
    'x-forwarded-proto': 'http',
  };
  delete headers.connection;
  delete headers['cf-connecting-ip'];
  if (forward) {
    const sent = req.headers['x-forwarded-for'];
    headers['x-forwarded-for'] = [sent, forward.visitorIp].filter(Boolean).join(', ');
    headers['x-proxy-secret'] = forward.secret;
    Object.assign(headers, forward.geo);
  }
  const entry: ProxiedRequest = {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    status: 0,
    events: [],
    responseBody: '',
  };
  if (CAPTURE_PATH.test(new URL(entry.url, 'http://site.local').pathname) && body.length > 0) {
    try {
      entry.events = decodeCapture(req.headers['content-type'], body);
    } catch (err) {
      entry.decodeError = String(err);
    }
  }
  log.push(entry);

  await new Promise<void>((resolve, reject) => {
    const upstreamReq = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (upstreamRes) => {
        entry.status = upstreamRes.statusCode ?? 0;
        res.writeHead(entry.status, upstreamRes.headers);
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => {
          if (entry.status >= 400) chunks.push(chunk);
          res.write(chunk);
        });
        upstreamRes.on('end', () => {
          entry.responseBody = readable(Buffer.concat(chunks), upstreamRes.headers['content-encoding']);
          res.end();
          resolve();
        });
        upstreamRes.on('error', reject);
      },
    );
    upstreamReq.on('error', (err) => {
      entry.status = 502;
      entry.responseBody = `proxy could not reach the service: ${err}`;
      reject(err);
    });
    upstreamReq.end(body);
  });
}

/** An error body as text, for failure messages (decompressed when needed). */
function readable(body: Buffer, encoding: string | undefined): string {
  try {
    const bytes = encoding === 'gzip' ? gunzipSync(body) : encoding === 'br' ? brotliDecompressSync(body) : body;
    return bytes.toString('utf8').slice(0, 500);
  } catch {
    return `(${body.length} bytes, ${encoding})`;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// The official PostHog snippet (as on posthog.com); it loads `<api_host>/static/array.js`.
const SNIPPET = `!function(t,e){var o,n,p,r;e.__SV||(window.posthog && window.posthog.__loaded)||(window.posthog=e,e._i=[],e.init=function(i,s,a){function g(t,e){var o=e.split(".");2==o.length&&(t=t[o[0]],e=o[1]),t[e]=function(){t.push([e].concat(Array.prototype.slice.call(arguments,0)))}}(p=t.createElement("script")).type="text/javascript",p.crossOrigin="anonymous",p.async=!0,p.src=s.api_host.replace(".i.posthog.com","-assets.i.posthog.com")+"/static/array.js",(r=t.getElementsByTagName("script")[0]).parentNode.insertBefore(p,r);var u=e;for(void 0!==a?u=e[a]=[]:a="posthog",u.people=u.people||[],u.toString=function(t){var e="posthog";return"posthog"!==a&&(e+="."+a),t||(e+=" (stub)"),e},u.people.toString=function(){return u.toString(1)+".people (stub)"},o="init capture register register_once register_for_session unregister unregister_for_session getFeatureFlag getFeatureFlagPayload isFeatureEnabled reloadFeatureFlags updateEarlyAccessFeatureEnrollment getEarlyAccessFeatures on onFeatureFlags onSurveysLoaded onSessionId getSurveys getActiveMatchingSurveys renderSurvey canRenderSurvey identify setPersonProperties group resetGroups setPersonPropertiesForFlags resetPersonPropertiesForFlags setGroupPropertiesForFlags resetGroupPropertiesForFlags reset get_distinct_id getGroups get_session_id get_session_replay_url alias set_config startSessionRecording stopSessionRecording sessionRecordingStarted captureException loadToolbar get_property getSessionProperty createPersonProfile opt_in_capturing opt_out_capturing has_opted_in_capturing has_opted_out_capturing clear_opt_in_out_capturing debug".split(" "),n=0;n<o.length;n++)g(u,o[n]);e._i.push([i,s,a])},e.__SV=1)}(document,window.posthog||[]);`;

function page(pathname: string, options: SiteOptions): string {
  // Default person_profiles ('identified_only'); headless Chromium would otherwise be dropped as a bot.
  const init = `posthog.init(${JSON.stringify(options.token)}, Object.assign({
    api_host: location.origin + '/ingest',
    opt_out_useragent_filter: true,
    loaded: function () { window.__posthogLoaded = true; },
  }, ${JSON.stringify(options.config ?? {})}));`;
  const loader =
    options.sdk === 'bundled'
      ? `<script src="/vendor/posthog-js/array.full.js"></script>\n<script>${init}</script>`
      : `<script>${SNIPPET}\n${init}</script>`;
  const title = pathname === '/' ? 'Home' : pathname.slice(1);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)} · e2e shop</title>
<link rel="icon" href="data:,">
${loader}
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>A page of a site that sends analytics to PostHog through its own <code>/ingest</code> path.</p>
<nav><a href="/">Home</a> <a href="/pricing">Pricing</a> <a href="/docs">Docs</a></nav>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
