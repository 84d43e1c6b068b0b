// Cloudflare's list prices (Workers Paid, beyond each plan's included usage) and what a million
// events cost at them, from what one event costs in the run. Prices taken from the pages below on
// PRICES_TAKEN; they change, so the report prints this date and the pages beside the dollars.

export const PRICES_TAKEN = '2026-12-08';

export const PRICES = {
  workerRequestPerMillion: 0.3,
  workerCpuMsPerMillion: 0.02,
  queueOperationPerMillion: 0.4,
  d1RowWrittenPerMillion: 1.0,
  d1RowReadPerMillion: 0.001,
  d1StorageGbMonth: 0.75,
  durableObjectRequestPerMillion: 0.15,
};

export const PRICE_PAGES = {
  workers: 'https://developers.cloudflare.com/workers/platform/pricing/',
  queues: 'https://developers.cloudflare.com/queues/platform/pricing/',
  d1: 'https://developers.cloudflare.com/d1/platform/pricing/',
  durableObjects: 'https://developers.cloudflare.com/durable-objects/platform/pricing/',
};

/** Queues: each message costs a write, a read and a delete, each per 64 KB chunk. */
export const QUEUE_OPERATIONS_PER_CHUNK = 3;

/**
 * Dollars per million events, line by line, from one event's use of each priced unit:
 * `workerRequests` (capture requests plus consumer invocations), `cpuMs`, `queueChunks`,
 * `rowsWritten`, `rowsRead`, `personObjectCalls`, and `storedBytes` (priced per month the
 * million events stay stored; GB = 10^9 bytes).
 */
export function dollarsPerMillionEvents(perEvent) {
  const million = 1e6;
  const lines = [
    ['Workers requests', perEvent.workerRequests, 'requests', PRICES.workerRequestPerMillion / million],
    ['Workers CPU', perEvent.cpuMs, 'CPU ms', PRICES.workerCpuMsPerMillion / million],
    [
      'Queues operations',
      perEvent.queueChunks * QUEUE_OPERATIONS_PER_CHUNK,
      'operations',
      PRICES.queueOperationPerMillion / million,
    ],
    ['D1 rows written', perEvent.rowsWritten, 'rows', PRICES.d1RowWrittenPerMillion / million],
    ['D1 rows read', perEvent.rowsRead, 'rows', PRICES.d1RowReadPerMillion / million],
    [
      'Durable Object requests',
      perEvent.personObjectCalls,
      'requests',
      PRICES.durableObjectRequestPerMillion / million,
    ],
  ].map(([item, units, unit, dollarsPerUnit]) => ({ item, units, unit, dollars: units * dollarsPerUnit * million }));
  const ingest = lines.reduce((a, l) => a + l.dollars, 0);
  const storage = ((perEvent.storedBytes * million) / 1e9) * PRICES.d1StorageGbMonth;
  return {
    lines,
    ingest,
    storage: { item: 'D1 storage, per month stored', units: perEvent.storedBytes, unit: 'bytes', dollars: storage },
  };
}
