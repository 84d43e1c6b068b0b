// What the storage part reports, worked out from what it measured (pure: no I/O).

/** D1's database size limit (paid plan), as src/db/storage.ts counts it. */
export const SHARD_LIMIT_BYTES = 10 * 1000 ** 3;
export const FLOOR_TABLE = 'events_floor';

/** The floor statements hold 2,000 rows; D1 binds at most 2,000,000 bytes per value. */
const FLOOR_ROWS_PER_STATEMENT = 2_000;
const FLOOR_MAX_BOUND_BYTES = 1_990_000;

const DEFINITIONS = new Set(['event_definitions', 'property_definitions', 'event_properties']);
const PERSON_TABLES = ['persons', 'person_distinct_ids', 'person_merges'];

/** The report's name for a table or index of the shard (each events index on its own). */
function partOf({ name, table, type }) {
  if (table === 'events') {
    if (type === 'table') return 'events (rows)';
    if (name.startsWith('sqlite_autoindex_')) return 'events key (project_id, uuid)';
    return /_group\d_/.test(name) ? 'events group indexes (5, partial)' : `events index ${name}`;
  }
  if (PERSON_TABLES.includes(table)) return `${table} (with indexes)`;
  if (DEFINITIONS.has(table)) return 'definitions (event, property, event × property)';
  if (table === FLOOR_TABLE) return FLOOR_TABLE;
  return 'everything else (other tables, schema, free pages)';
}

/**
 * The shard's bytes by part, per stored event: every table and index of the file (the floor's
 * table apart, it is not the service's), free pages counted with everything else. `fill` is the
 * share of a part's pages holding row or key bytes (dbstat's payload).
 */
export function storageBreakdown(stat, events) {
  const parts = new Map();
  for (const n of stat.names) {
    const part = partOf(n);
    const p = parts.get(part) ?? { part, bytes: 0, pages: 0, payload: 0 };
    p.bytes += n.bytes;
    p.pages += n.pages;
    p.payload += n.payload;
    parts.set(part, p);
  }
  const other = parts.get('everything else (other tables, schema, free pages)');
  const free = stat.freelist_count * stat.page_size;
  if (other) other.bytes += free;
  const floor = parts.get(FLOOR_TABLE);
  parts.delete(FLOOR_TABLE);
  const rows = [...parts.values()].sort((a, b) => b.bytes - a.bytes);
  const total = rows.reduce((a, p) => a + p.bytes, 0);
  return {
    file_bytes: stat.page_count * stat.page_size,
    page_size: stat.page_size,
    total_bytes: total,
    bytes_per_event: total / events,
    parts: rows.map((p) => ({ ...p, per_event: p.bytes / events, share: p.bytes / total, fill: p.payload / p.bytes })),
    floor: floor ? { bytes: floor.bytes, fill: floor.payload / floor.bytes } : undefined,
    shard_capacity_events: SHARD_LIMIT_BYTES / (total / events),
  };
}

/**
 * One event's use of each billed unit in a metered run (bench/meter.ts's reading), plus the
 * capture requests that carried the run's events.
 */
export function perEventUse(reading, events, requests) {
  const dbs = Object.values(reading.databases);
  const sum = (key) => dbs.reduce((a, d) => a + d[key], 0);
  return {
    events,
    rowsWritten: sum('rows_written') / events,
    rowsRead: sum('rows_read') / events,
    statements: sum('statements') / events,
    d1Requests: sum('requests') / events,
    queueMessages: reading.queue.messages / events,
    queueChunks: reading.queue.chunks / events,
    queueBytes: reading.queue.bytes / Math.max(1, reading.queue.messages),
    consumerInvocations: reading.consumer.invocations / events,
    captureRequests: requests / events,
    personObjectCalls: reading.person_object_calls / events,
  };
}

/** Per-event use of the whole stream: each kind's, weighted by its share of the stream's events. */
export function weightedUse(kinds) {
  const total = kinds.reduce((a, k) => a + k.share, 0);
  const keys = Object.keys(kinds[0].use).filter((k) => k !== 'events');
  return Object.fromEntries(keys.map((key) => [key, kinds.reduce((a, k) => a + (k.share / total) * k.use[key], 0)]));
}

/**
 * Rows as the floor's statements take them: at most 2,000 rows each, fewer where that would pass
 * D1's limit on a bound value (about 1,000 of these rows).
 */
export function floorStatements(rows) {
  const statements = [];
  let part = [];
  let bytes = 2;
  for (const row of rows) {
    const rowBytes = Buffer.byteLength(JSON.stringify(row)) + 1;
    if (part.length === FLOOR_ROWS_PER_STATEMENT || (part.length > 0 && bytes + rowBytes > FLOOR_MAX_BOUND_BYTES)) {
      statements.push(part);
      part = [];
      bytes = 2;
    }
    part.push(row);
    bytes += rowBytes;
  }
  if (part.length) statements.push(part);
  return statements;
}
