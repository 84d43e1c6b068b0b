// Types of prices.mjs, for the TypeScript tests.
export const PRICES_TAKEN: string;
export const PRICES: Record<string, number>;
export const PRICE_PAGES: Record<string, string>;
export const QUEUE_OPERATIONS_PER_CHUNK: number;
export interface CostLine {
  item: string;
  units: number;
  unit: string;
  dollars: number;
}
export function dollarsPerMillionEvents(perEvent: {
  workerRequests: number;
  cpuMs: number;
  queueChunks: number;
  rowsWritten: number;
  rowsRead: number;
  personObjectCalls: number;
  storedBytes: number;
}): { lines: CostLine[]; ingest: number; storage: CostLine };
