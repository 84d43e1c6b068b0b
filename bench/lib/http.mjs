// A small keep-alive HTTP client for driving the service from the bench process.
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One request; resolves with the status and the body as text. */
export function request(url, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A JSON request that must answer `expect`; returns the parsed body. */
export async function json(url, { method = 'GET', headers = {}, body, expect = 200 } = {}) {
  const res = await request(url, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (res.status !== expect)
    throw new Error(`${method} ${url} → ${res.status} (expected ${expect}): ${res.text.slice(0, 500)}`);
  return JSON.parse(res.text);
}

/**
 * Posts every body to `url` with at most `concurrency` requests in flight, in
 * order of the list. Like an SDK, a request answered other than 200 is retried
 * (after a short pause) until it is accepted. Returns counts and timings.
 */
export async function postAll(url, bodies, { concurrency, headers }) {
  const statuses = {};
  let retries = 0;
  let next = 0;
  const started = performance.now();
  const runners = Array.from({ length: Math.min(concurrency, bodies.length) }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++];
      for (let attempt = 1; ; attempt++) {
        let status;
        try {
          status = (await request(url, { method: 'POST', headers, body })).status;
        } catch (error) {
          status = `error: ${error.code ?? error.message}`;
        }
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 200) break;
        if (attempt >= 50) throw new Error(`request kept failing (${status}) after ${attempt} attempts`);
        retries++;
        await new Promise((r) => setTimeout(r, Math.min(2_000, 100 * attempt)));
      }
    }
  });
  await Promise.all(runners);
  return { requests: bodies.length, retries, statuses, sendMs: performance.now() - started };
}
