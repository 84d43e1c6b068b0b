// Section 7 of the report (bench/storage.mjs): its tables and issue #27's targets.
import { dollars, n0, n1, n2, pct, times } from './format.mjs';
import { PRICE_PAGES, PRICES_TAKEN } from './prices.mjs';

export const STORAGE_HEADING = '7. Storage';

const EVENT_TABLES = new Set(['events']);
const PERSON_TABLES = new Set(['persons', 'person_distinct_ids', 'person_merges', 'write_guards']);
const DEFINITION_TABLES = new Set(['event_definitions', 'property_definitions', 'event_properties']);

/** Rows written per event to the tables of one group, from a metered reading. */
function writtenTo(reading, events, tables) {
  const rows = Object.entries(reading.tables)
    .filter(([table]) => tables(table))
    .reduce((a, [, c]) => a + c.rows_written, 0);
  return rows / events;
}

function kindRow(k) {
  const { use, reading } = k;
  const by = (tables) => writtenTo(reading, use.events, tables);
  const other = (t) => !EVENT_TABLES.has(t) && !PERSON_TABLES.has(t) && !DEFINITION_TABLES.has(t);
  return [
    `${k.kind}${k.complete ? '' : ' (incomplete)'}`,
    n0(use.events),
    n2(use.rowsWritten),
    n2(by((t) => EVENT_TABLES.has(t))),
    n2(by((t) => PERSON_TABLES.has(t))),
    n2(by((t) => DEFINITION_TABLES.has(t))),
    n2(by(other)),
    n2(use.rowsRead),
    n2(use.statements),
    n2(use.queueChunks * 3),
    n2(use.personObjectCalls),
  ];
}

function describeMix(s) {
  const { events, kinds } = s.mix;
  const share = (n) => pct(n / events);
  return (
    `${n0(events)} posthog-js-shaped events: ${share(kinds.personless)} person-less page views and leaves, ` +
    `${share(kinds.identified)} identified with $set, ${share(kinds.identify)} $identify; ` +
    `${n0(s.mix.json_bytes_per_event)} bytes of JSON and ${n1(s.mix.properties_per_event)} properties per event as sent, ` +
    `${n0(s.mix.stored_properties_bytes_per_event)} bytes of properties per event as stored`
  );
}

export function storageSections(r) {
  const s = r.storage;
  if (!s) return [];
  const b = s.breakdown;
  const e = s.end_to_end;
  const kindEvents = s.kinds.map((k) => `${n0(k.use.events)} ${k.kind}`).join(', ');
  // The mix's row: the kinds' per-event figures weighted by their shares (so "per 1 event").
  const mixRow = {
    kind: 'the mix, weighted 70 / 25 / 5',
    complete: s.kinds.every((k) => k.complete),
    use: { ...s.mix_use, events: 1 },
    reading: mixReading(s),
  };
  return [
    {
      title: `${STORAGE_HEADING}: bytes per stored event (${describeMix(s)}; the shard's SQLite file read with dbstat, ${n0(b.page_size)}-byte pages)`,
      head: ['part', 'bytes', 'per event', 'share', 'pages filled'],
      rows: [
        ...b.parts.map((p) => [p.part, n0(p.bytes), n0(p.per_event), pct(p.share), pct(p.fill)]),
        ['all in', n0(b.total_bytes), n0(b.bytes_per_event), '100%', ''],
        ['a 10 GB D1 shard holds (events)', n0(b.shard_capacity_events), '', '', ''],
        b.floor
          ? [
              'the floor table, same rows (not counted above)',
              n0(b.floor.bytes),
              n0(b.floor.bytes / s.floor.rows),
              '',
              pct(b.floor.fill),
            ]
          : ['the floor table', '–', '', '', ''],
      ],
    },
    {
      title: `${STORAGE_HEADING}: D1 rows written per event by kind (each kind alone in a project of its own, D1's meta.rows_written summed over every statement of the Worker, its consumer and person objects, by the table it writes: ${kindEvents} metered after the first 30% of each stream, unmetered, taught the project its property names and gave most users their person; the merges join a new browser's anonymous id to an existing identified person; queue ops = 3 per 64 KB of each message)`,
      head: [
        'kind',
        'events',
        'rows written',
        'to events',
        'to persons, ids, merges',
        'to definitions',
        'other',
        'rows read',
        'D1 statements',
        'queue ops',
        'person-object calls',
      ],
      rows: [...s.kinds.map(kindRow), kindRow(mixRow).map((cell, i) => (i === 1 ? '' : cell))],
    },
    {
      title: `${STORAGE_HEADING}: ingestion beside the storage floor (the same stored rows as json_each INSERTs into events_floor, a plain table of today's layout: whole properties as JSON text, the (project_id, uuid) key, the three indexes; at most 2,000 rows per statement and D1's 2 MB per bound value, ${n0(s.floor.rows_per_statement)} rows per statement here, one at a time; the floor's time is D1's for its statements, the bench route's own HTTP and JSON around them left out (${n1(s.floor.wall_seconds)} s with them); same local D1, same run; CPU = all of the runtime's processes, per event)`,
      head: ['path', 'events', 'seconds', 'events/s', 'vs floor', 'runtime CPU ms/event'],
      rows: [
        [
          `capture → queue → persons → D1 (${e.events_per_request} events per gzip /batch/ request)`,
          `${n0(e.stored_events)}${e.complete ? '' : ' (deadline: incomplete)'}${e.reloaded ? ' (Worker reloaded meanwhile)' : ''}`,
          n1(e.seconds),
          n0(e.events_per_s),
          times(s.ratio_to_floor),
          n2(e.cpu_ms_per_event),
        ],
        [
          `storage floor: D1's time for ${n0(s.floor.statements)} json_each statements`,
          n0(s.floor.rows),
          n2(s.floor.seconds),
          n0(s.floor.rows_per_s),
          '1.00×',
          n2(s.floor.cpu_ms_per_row),
        ],
      ],
    },
    {
      title: `${STORAGE_HEADING}: dollars per million events at Cloudflare's list prices (taken ${PRICES_TAKEN} from ${Object.values(PRICE_PAGES).join(', ')}; beyond each plan's included usage; requests = capture requests at this run's ${e.events_per_request} events each plus queue consumer invocations; CPU = all the runtime's CPU per event, local D1 included: an upper bound)`,
      head: ['item', 'per event', 'unit', '$ per million events'],
      rows: [
        ...s.costs.lines.map((l) => [l.item, n2(l.units), l.unit, dollars(l.dollars)]),
        ['ingestion, all of the above', '', '', dollars(s.costs.ingest)],
        [s.costs.storage.item, n0(s.costs.storage.units), 'bytes', dollars(s.costs.storage.dollars)],
      ],
    },
  ];
}

/** The kinds' readings weighted like the mix, table by table, for the mix's row. */
function mixReading(s) {
  const total = s.kinds.reduce((a, k) => a + k.share, 0);
  const tables = {};
  for (const k of s.kinds) {
    for (const [table, c] of Object.entries(k.reading.tables)) {
      const t = (tables[table] ??= { rows_written: 0 });
      t.rows_written += (k.share / total) * (c.rows_written / k.use.events);
    }
  }
  return { tables };
}

/** Issue #27's targets, measured on today's layout. */
export function storageTargets(r) {
  const s = r.storage;
  if (!s) return [];
  const personless = s.kinds.find((k) => k.kind === 'person-less');
  const complete = s.end_to_end.complete;
  return [
    {
      target: 'storage: ≤ 400 bytes per stored event, all in (#27)',
      measured: `${n0(s.breakdown.bytes_per_event)} bytes`,
      met: s.breakdown.bytes_per_event <= 400,
    },
    {
      target: 'storage: ≤ 3 D1 rows written per person-less event (#27)',
      measured: `${n2(personless?.use.rowsWritten)} rows`,
      met: Boolean(personless?.complete) && personless.use.rowsWritten <= 3,
    },
    {
      target: 'storage: end-to-end ≥ 0.35× the storage floor (#27)',
      measured: times(s.ratio_to_floor),
      met: complete && s.ratio_to_floor >= 0.35,
    },
    {
      target: 'storage: end-to-end ≥ 10,000 events/s on the posthog-js mix (#27)',
      measured: `${n0(s.end_to_end.events_per_s)} events/s`,
      met: complete && s.end_to_end.events_per_s >= 10_000,
    },
  ];
}
