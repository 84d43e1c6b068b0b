// Finding 6 of issue 30: events answered 200 were lost when `wrangler dev` was killed, because the
// local queue lives in memory. With the local acceptance journal (LOCAL_ACCEPT_JOURNAL, as `npm
// start` runs it; src/queue/journal.ts) none may be: this kills the whole process group with
// SIGKILL in the middle of a load, restarts it on the same --persist-to directory, and checks
// that every event that got a 200 is stored exactly once (docs/guarantees.md).
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startIsolatedWrangler, type WranglerInstance } from '../../scripts/lib/wrangler-instance.mjs';
import { RestApi } from './lib/rest';

const REQUESTS = 400;
const EVENTS_PER_REQUEST = 50;
const IN_FLIGHT = 8;
/** The kill comes once this many requests were accepted (a good part of the load, not all of it). */
const KILL_AFTER_ACCEPTED = 120;

const instances: WranglerInstance[] = [];
afterAll(async () => {
  for (const instance of instances.reverse()) await instance.stop().catch(() => undefined);
});

async function start(restartOf?: WranglerInstance, onLine?: (line: string) => void) {
  const instance = await startIsolatedWrangler({
    vars: { LOCAL_ACCEPT_JOURNAL: 'on' },
    tmpPrefix: 'posthog-kill-',
    apiKeyPrefix: 'phx_kill_',
    logLevel: 'log',
    restartOf,
    onLine,
  });
  instances.push(instance);
  return instance;
}

function batchOf(request: number) {
  return Array.from({ length: EVENTS_PER_REQUEST }, (_, i) => ({
    uuid: randomUUID(),
    event: i % 10 === 0 ? '$identify' : '$pageview',
    distinct_id: `kill-user-${(request * 7 + i) % 300}`,
    properties: { request, i, $set: { last_request: request } },
    timestamp: new Date().toISOString(),
  }));
}

describe('accepted events survive a killed wrangler dev', () => {
  it('SIGKILL of the process group mid-load, restart on the same directory: every accepted event stored once', async () => {
    const first = await start();
    const rest = new RestApi(first.baseUrl, first.apiKey);
    const project = await rest.createProject('kill test');

    const accepted: string[] = [];
    let acceptedRequests = 0;
    let killed: Promise<void> | undefined;
    let next = 0;
    const sender = async () => {
      while (next < REQUESTS && !killed) {
        const request = next++;
        const batch = batchOf(request);
        try {
          const res = await fetch(`${first.baseUrl}/batch/`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ api_key: project.api_token, batch }),
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) {
            accepted.push(...batch.map((e) => e.uuid));
            acceptedRequests += 1;
          }
        } catch {
          // The connection died with the process: not accepted.
        }
        if (acceptedRequests >= KILL_AFTER_ACCEPTED && !killed) killed = first.kill();
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    await killed;
    expect(acceptedRequests).toBeGreaterThanOrEqual(KILL_AFTER_ACCEPTED);

    const resentLines: string[] = [];
    const second = await start(first, (line) => {
      if (/re-sent \d+ accepted messages/.test(line)) resentLines.push(line);
    });
    const api = new RestApi(second.baseUrl, second.apiKey).project(project.id);
    const wanted = new Set(accepted);
    let stored: string[] = [];
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline) {
      stored = (await api.events()).map((e) => e.id);
      if (stored.filter((id) => wanted.has(id)).length >= wanted.size) break;
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const missing = accepted.filter((id) => !stored.includes(id));
    expect(missing.length, `${missing.length} of ${accepted.length} accepted events lost`).toBe(0);
    // Exactly once: no accepted event twice (a re-sent message that had been stored already is skipped).
    expect(stored.filter((id) => wanted.has(id)).length).toBe(wanted.size);
    // The kill did catch messages not yet stored, and the restart sent them again.
    expect(resentLines.length, 'no "re-sent … accepted messages" line after the restart').toBeGreaterThan(0);
  }, 400_000);
});
