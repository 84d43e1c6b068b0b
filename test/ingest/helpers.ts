import { env } from 'cloudflare:workers';
import { and, eq, inArray } from 'drizzle-orm';
import { dbOf } from '../../src/db/client';
import { events, ingestionWarnings, personDistinctIds, persons } from '../../src/db/schema';
import type { CapturedEvent } from '../../src/ingest/message';
import { fetchWorker } from '../helpers';
import { chunk } from '../../src/db/chunk';

export const db = dbOf(env.DB);

let counter = 0;
/** An event as capture would enqueue it; `uuid` and `timestamp` filled in. */
export function ev(event: string, distinctId: string, properties: Record<string, unknown> = {}, extra: Partial<CapturedEvent> = {}): CapturedEvent {
  counter += 1;
  return {
    uuid: crypto.randomUUID(),
    event,
    distinct_id: distinctId,
    properties,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, counter)).toISOString(),
    ...extra,
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function storedUuids(projectId: number, uuids: string[]): Promise<Set<string>> {
  const stored = new Set<string>();
  for (const part of chunk(uuids, 90)) {
    const rows = await db.select({ uuid: events.uuid }).from(events).where(and(eq(events.projectId, projectId), inArray(events.uuid, part)));
    for (const r of rows) stored.add(r.uuid);
  }
  return stored;
}

export async function waitForStored(projectId: number, uuids: string[]): Promise<void> {
  const wanted = [...new Set(uuids)];
  await waitFor(`${wanted.length} events stored`, async () => (await storedUuids(projectId, wanted)).size === wanted.length);
}

export interface PersonView {
  id: string;
  distinctIds: string[];
  properties: Record<string, unknown>;
  isIdentified: boolean;
  version: number;
  createdAt: string;
}

/** Every person of a project with its distinct ids (sorted), keyed by nothing: a plain list. */
export async function personsOf(projectId: number): Promise<PersonView[]> {
  const rows = await db.select().from(persons).where(eq(persons.projectId, projectId));
  const ids = await db.select().from(personDistinctIds).where(eq(personDistinctIds.projectId, projectId));
  return rows.map((p) => ({
    id: p.id,
    distinctIds: ids.filter((d) => d.personId === p.id).map((d) => d.distinctId).sort(),
    properties: p.properties,
    isIdentified: p.isIdentified,
    version: p.version,
    createdAt: p.createdAt,
  }));
}

export async function personOf(projectId: number, distinctId: string): Promise<PersonView | undefined> {
  return (await personsOf(projectId)).find((p) => p.distinctIds.includes(distinctId));
}

export async function warningsOf(projectId: number) {
  return db.select().from(ingestionWarnings).where(eq(ingestionWarnings.projectId, projectId));
}

export async function eventRow(projectId: number, uuid: string) {
  return db.select().from(events).where(and(eq(events.projectId, projectId), eq(events.uuid, uuid))).get();
}

/** Sends events the way posthog-node does: `POST /batch/` with `{api_key, batch}`. */
export async function capture(token: string, batch: CapturedEvent[]): Promise<void> {
  const res = await fetchWorker('/batch/', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: token, batch }),
  });
  if (res.status !== 200) throw new Error(`capture answered ${res.status}: ${await res.text()}`);
}

/** Captures events one request each, in order, and waits until all are stored. */
export async function ingestInOrder(project: { id: number; api_token: string }, batch: CapturedEvent[]): Promise<void> {
  for (const e of batch) {
    await capture(project.api_token, [e]);
    await waitForStored(project.id, [e.uuid]);
  }
}

/** Captures events in one request and waits until all are stored. */
export async function ingest(project: { id: number; api_token: string }, batch: CapturedEvent[]): Promise<void> {
  await capture(project.api_token, batch);
  await waitForStored(project.id, batch.map((e) => e.uuid));
}
