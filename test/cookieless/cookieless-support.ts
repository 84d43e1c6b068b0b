// Shared by the cookieless capture tests: projects in each mode, browser-like sends, reads of what was stored.
import { env } from 'cloudflare:workers';
import { and, eq, inArray } from 'drizzle-orm';
import { expect } from 'vitest';
import { dbOf } from '../../src/db/client';
import { shardDatabases } from '../../src/db/shards';
import { events, ingestionWarnings, personDistinctIds } from '../../src/db/schema';
import { api, dbFor, eventually, fetchWorker, newProject, waitForStored } from '../support';

export const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
export const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0';
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const PLACEHOLDERS = ['$posthog_cookieless', '$sentinel_cookieless_server_hash'];

export type Mode = 'disabled' | 'stateless' | 'stateful';

export async function project(mode: Mode, timezone = 'UTC') {
  const p = await newProject(`cookieless ${mode}`);
  const res = await api(`/api/projects/${p.id}/`, {
    method: 'PATCH',
    json: { cookieless_server_hash_mode: mode, timezone },
  });
  expect(res.status).toBe(200);
  return p;
}

export interface Visitor {
  ip?: string;
  ua?: string;
  host?: string;
}

/** A posthog-js cookieless event (placeholder id, `$cookieless_mode`), `at` ms since the epoch. */
export function cookielessEvent(
  event: string,
  at: number,
  properties: Record<string, unknown> = {},
  distinctId = '$posthog_cookieless',
) {
  return {
    event,
    uuid: crypto.randomUUID(),
    distinct_id: distinctId,
    timestamp: new Date(at).toISOString(),
    properties: { $cookieless_mode: true, ...properties } as Record<string, unknown>,
  };
}

/** Sends events like a browser: the User-Agent goes in `$raw_user_agent` and the header, the site in `$host`. */
export async function send(token: string, batch: ReturnType<typeof cookielessEvent>[], visitor: Visitor = {}) {
  const { ip = '203.0.113.7', ua = CHROME, host = 'www.example.com' } = visitor;
  for (const e of batch) {
    e.properties = { $raw_user_agent: ua, $host: host, $current_url: `https://${host}/page`, ...e.properties };
  }
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': ip, 'User-Agent': ua },
    body: JSON.stringify({ api_key: token, batch }),
  });
  expect(res.status).toBe(200);
  return batch.map((e) => e.uuid);
}

export async function storedEvents(projectId: number, uuids: string[]) {
  await waitForStored(projectId, uuids);
  const rows = await (await dbFor(projectId))
    .select()
    .from(events)
    .where(and(eq(events.projectId, projectId), inArray(events.uuid, uuids)));
  const byUuid = new Map(rows.map((r) => [r.uuid, r]));
  return uuids.map((u) => byUuid.get(u)!);
}

export async function warningsOf(projectId: number, uuids: string[], type: string) {
  return eventually(`${uuids.length} ${type} warnings`, async () => {
    const rows = await (await dbFor(projectId))
      .select()
      .from(ingestionWarnings)
      .where(
        and(
          eq(ingestionWarnings.projectId, projectId),
          eq(ingestionWarnings.type, type),
          inArray(ingestionWarnings.eventUuid, uuids),
        ),
      );
    return rows.length === uuids.length ? rows : undefined;
  });
}

export async function placeholderIdsStored() {
  // On every shard.
  const all = await Promise.all(
    shardDatabases(env).map((shard) =>
      dbOf(shard).select().from(personDistinctIds).where(inArray(personDistinctIds.distinctId, PLACEHOLDERS)),
    ),
  );
  return all.flat();
}

export const now = () => Date.now();
export const DAY = 24 * HOUR;
/**
 * A past start for events spanning `span` ms that all fall on one UTC day (a salt is per day),
 * whatever the time of the run.
 */
export const oneDayStart = (span: number) => {
  const today = now() - (now() % DAY);
  return now() - today > span + MINUTE ? today : today - DAY;
};
