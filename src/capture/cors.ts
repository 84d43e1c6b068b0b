import type { MiddlewareHandler } from 'hono';

const DEFAULT_ALLOWED_HEADERS = 'Content-Type, Content-Encoding, Authorization, X-Requested-With';

/**
 * CORS for capture: echo the page's Origin with credentials allowed (posthog-js
 * may send cookies); a preflight is also told GET/POST/OPTIONS and whatever headers
 * it asks for. Like PostHog's capture (tower-http's CorsLayer), the allowed methods
 * and headers go on preflight answers only: browsers read them nowhere else.
 */
export const captureCors: MiddlewareHandler = async (c, next) => {
  await next();
  setCorsHeaders(c.req.raw, c.res.headers);
};

export function setCorsHeaders(request: Request, headers: Headers): void {
  const origin = request.headers.get('Origin');
  if (origin) {
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Allow-Credentials', 'true');
    headers.append('Vary', 'Origin');
  } else {
    headers.set('Access-Control-Allow-Origin', '*');
  }
  if (request.method !== 'OPTIONS') return;
  headers.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  headers.set(
    'Access-Control-Allow-Headers',
    request.headers.get('Access-Control-Request-Headers') || DEFAULT_ALLOWED_HEADERS,
  );
  headers.set('Access-Control-Max-Age', '86400');
}
