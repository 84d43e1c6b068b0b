// Waiting for the queue consumer: one waiter (vitest's `vi.waitFor`) and what the tests wait for.
import { expect, vi } from 'vitest';
import { countProjectRows, storedEvents, type StoredEvent } from './stored';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `probe` until it gives a value (not `undefined` or `false`) and returns it. A probe that
 * throws is polled again; after `timeout` ms the last error (or "still waiting for <what>") fails the test.
 */
export function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  { timeout = 30_000, interval = 50 } = {},
): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await probe();
      if (value === undefined || value === false) throw new Error(`still waiting for ${what}`);
      return value;
    },
    { timeout, interval },
  );
}

/** Waits until every uuid is stored for the project; the stored rows by uuid. */
export async function waitForStored(
  projectId: number,
  uuids: string[],
  timeout = 45_000,
): Promise<Map<string, StoredEvent>> {
  const wanted = [...new Set(uuids)];
  const found = new Map<string, StoredEvent>();
  await eventually(
    `${wanted.length} events stored`,
    async () => {
      for (const [uuid, row] of await storedEvents(
        projectId,
        wanted.filter((u) => !found.has(u)),
      ))
        found.set(uuid, row);
      if (found.size === wanted.length) return true;
      throw new Error(`timed out: ${wanted.length - found.size} of ${wanted.length} events not stored`);
    },
    { timeout, interval: 100 },
  );
  return found;
}

/** Waits until the project holds `expected` events (and still does a moment later). */
export async function waitForEventCount(projectId: number, expected: number, timeout: number): Promise<void> {
  const count = () => countProjectRows(projectId, 'SELECT COUNT(*) AS n FROM events WHERE project_id = ?', projectId);
  const stored = await eventually(
    'the event count',
    async () => {
      const n = await count();
      if (n < expected) expect(n, 'events stored').toBe(expected);
      return n;
    },
    { timeout, interval: 500 },
  );
  expect(stored, 'events stored').toBe(expected);
  await sleep(1_500);
  expect(await count(), 'events stored, after the queue settled').toBe(expected);
}
