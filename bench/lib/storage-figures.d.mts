// Types of storage-figures.mjs, for the TypeScript tests.
export interface DbstatName {
  name: string;
  table: string;
  type: string;
  bytes: number;
  pages: number;
  payload: number;
  unused: number;
  cells: number;
}
export interface Dbstat {
  page_size: number;
  page_count: number;
  freelist_count: number;
  names: DbstatName[];
}
export interface Part {
  part: string;
  bytes: number;
  pages: number;
  payload: number;
  per_event: number;
  share: number;
  fill: number;
}
export interface MeterReading {
  databases: Record<string, { requests: number; statements: number; rows_read: number; rows_written: number }>;
  tables: Record<string, { statements: number; rows_read: number; rows_written: number }>;
  queue: { messages: number; bytes: number; chunks: number };
  consumer: { invocations: number; messages: number };
  person_object_calls: number;
}
export type Use = Record<
  | 'events'
  | 'rowsWritten'
  | 'rowsRead'
  | 'statements'
  | 'd1Requests'
  | 'queueMessages'
  | 'queueChunks'
  | 'queueBytes'
  | 'consumerInvocations'
  | 'captureRequests'
  | 'personObjectCalls',
  number
>;
export const SHARD_LIMIT_BYTES: number;
export const FLOOR_TABLE: string;
export function storageBreakdown(
  stat: Dbstat,
  events: number,
): {
  file_bytes: number;
  page_size: number;
  total_bytes: number;
  bytes_per_event: number;
  parts: Part[];
  floor?: { bytes: number; fill: number };
  shard_capacity_events: number;
};
export function perEventUse(reading: MeterReading, events: number, requests: number): Use;
export function weightedUse(kinds: { share: number; use: Use }[]): Omit<Use, 'events'>;
export function floorStatements<T>(rows: T[]): T[][];
