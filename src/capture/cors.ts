import type { MiddlewareHandler } from 'hono';

const DEFAULT_ALLOWED_HEADERS = 'Content-Type, Content-Encoding, Authorization, X-Requested-With';

/**
 * CORS for capture: echo the page's Origin with credentials allowed (posthog-js
 * may send cookies), allow whatever headers the preflight asks for, GET/POST/OPTIONS.
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
  headers.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
  headers.set('Access-Control-Allow-Headers', request.headers.get('Access-Control-Request-Headers') || DEFAULT_ALLOWED_HEADERS);
  if (request.method === 'OPTIONS') headers.set('Access-Control-Max-Age', '86400');
}
