import type { MiddlewareHandler } from 'hono';

const DEFAULT_ALLOWED_HEADERS = 'Content-Type, Content-Encoding, Authorization, X-Requested-With';

/**
 * CORS for capture: echo the page's Origin with credentials allowed (posthog-js
 * may send cookies), allow whatever headers the preflight asks for, GET/POST/OPTIONS.
 */
export const captureCors: MiddlewareHandler = async (c, next) => {
  await next();
  const origin = c.req.header('Origin');
  const headers = c.res.headers;
  if (origin) {
    headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Allow-Credentials', 'true');
    headers.append('Vary', 'Origin');
  } else {
    headers.set('Access-Control-Allow-Origin', '*');
  }
  headers.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  headers.set('Access-Control-Allow-Headers', c.req.header('Access-Control-Request-Headers') || DEFAULT_ALLOWED_HEADERS);
  if (c.req.method === 'OPTIONS') headers.set('Access-Control-Max-Age', '86400');
};
