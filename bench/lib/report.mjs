// The figures as a text table (stdout) and as Markdown (bench/RESULTS.md).

import { GUARD_MS, ROUTES, SLOT_MS, batchRounds } from '../capture.mjs';
import { n0, n1, pct, times } from './format.mjs';
import { storageSections, storageTargets } from './storage-report.mjs';

/** Time inside the queue consumer per stored event. */
const consumerMs = (run) => (run.consumer.busy_seconds * 1000) / Math.max(1, run.stored_events);

/** Each target with its measured value and whether it is met. */
export function targetsOf(r) {
  const single = r.capture?.kinds.filter((k) => k.events_per_request === 1) ?? [];
  const t = [];
  for (const k of single) {
    if (k.accept) {
      t.push({
        target: `capture ${k.kind}: ≥ 90% of durable-accept req/s`,
        measured: pct(k.ratio_accept_rps),
        met: k.ratio_accept_rps >= 0.9,
      });
    } else {
      t.push({
        target: `capture ${k.kind}: ≥ 80% of no-op req/s`,
        measured: pct(k.ratio_rps),
        met: k.ratio_rps >= 0.8,
      });
    }
    t.push({ target: `capture ${k.kind}: p99 ≤ 2× no-op p99`, measured: times(k.ratio_p99), met: k.ratio_p99 <= 2 });
  }
  if (r.ingestion) {
    const e = r.ingestion.end_to_end;
    t.push({
      target: 'end-to-end ≥ 5,000 events/s',
      measured: `${n0(e.events_per_s)} events/s`,
      met: e.complete && e.events_per_s >= 5000,
    });
    t.push({
      target: 'end-to-end ≥ 50% of plain insert',
      measured: pct(r.ingestion.ratio_to_plain_insert),
      met: e.complete && r.ingestion.ratio_to_plain_insert >= 0.5,
    });
    const consumerShare = e.consumer.events_per_busy_s / r.ingestion.plain_insert.rows_per_s;
    t.push({
      target: 'queue consumer (events per busy second) ≥ 80% of plain insert',
      measured: pct(consumerShare),
      met: e.complete && consumerShare >= 0.8,
    });
  }
  if (r.scaling) {
    t.push({
      target: 'per-event cost at 200k persons ≤ 1.25× cost at 1k',
      measured: times(r.scaling.cost_ratio),
      met: r.scaling.cost_ratio <= 1.25 && r.scaling.runs.every((x) => x.complete),
    });
  }
  if (r.merges)
    t.push({
      target: '≥ 500 merges/s',
      measured: `${n0(r.merges.merges_per_s)} merges/s`,
      met: r.merges.merges_per_s >= 500,
    });
  for (const q of r.query?.runs ?? []) {
    if (q.failed) {
      t.push({ target: `${q.name}: ≤ ${q.target}× the floor`, measured: q.failed, met: false });
      continue;
    }
    t.push({ target: `${q.name}: ≤ ${q.target}× the floor`, measured: times(q.ratio), met: q.ratio <= q.target });
    if (q.versus_ratio !== undefined)
      t.push({
        target: `${q.name}: ≤ ${q.versus_target}× the TrendsQuery, same run`,
        measured: times(q.versus_ratio),
        met: q.versus_ratio <= q.versus_target,
      });
  }
  t.push(...storageTargets(r));
  return t;
}

function sections(r) {
  const out = [];
  const c = r.config;
  if (r.capture) {
    out.push({
      title: `1. Capture acceptance (autocannon, ${c.connections} connections; ${c.captureRounds} rounds per single-event kind (${batchRounds(c)} for the batch), the kinds taking turns round by round, 1.5 s apart, each one load of ${c.captureSeconds * ROUTES.length} s that takes turns between capture, durable accept (one fixed message to the same queue: the one capture builds for the same body) and the no-op route every ${SLOT_MS} ms, rotating the order each round; a turn's first ${GUARD_MS} ms finish the previous route's requests and are not counted; req/s = responses counted ÷ time counted over all rounds, latencies the medians of the rounds; "rounds" is the range of one round's capture ÷ accept)`,
      head: [
        'request',
        'capture req/s',
        'p50 ms',
        'p99 ms',
        'accept req/s',
        'p99 ms',
        'vs accept',
        'rounds',
        'no-op req/s',
        'p50 ms',
        'p99 ms',
        'vs no-op',
        'p99 vs no-op',
        'non-200',
      ],
      rows: r.capture.kinds.map((k) => [
        k.kind,
        n0(k.capture.ok_per_s),
        n1(k.capture.p50_ms),
        n1(k.capture.p99_ms),
        n0(k.accept?.ok_per_s),
        n1(k.accept?.p99_ms),
        pct(k.ratio_accept_rps),
        k.ratio_accept_rounds ? `${pct(k.ratio_accept_rounds.min)}–${pct(k.ratio_accept_rounds.max)}` : '–',
        n0(k.noop.ok_per_s),
        n1(k.noop.p50_ms),
        n1(k.noop.p99_ms),
        pct(k.ratio_rps),
        times(k.ratio_p99),
        String(k.capture.non_200),
      ]),
    });
  }
  if (r.ingestion) {
    const { end_to_end: e, plain_insert: p, mix } = r.ingestion;
    out.push({
      title: `2. End-to-end ingestion (${n0(e.events)} events: ${n0(mix.anonymous)} anonymous person-less, ${n0(mix.merges)} identify/alias merges, rest identified with $set; ${e.events_per_request} events per gzip /batch/ request, ${c.sendConcurrency} in flight)`,
      head: ['path', 'events stored', 'seconds', 'events/s', 'vs plain insert'],
      rows: [
        [
          'capture → queue → persons → D1',
          `${n0(e.stored_events)}${e.complete ? '' : ' (deadline: incomplete)'}`,
          n1(e.seconds),
          n0(e.events_per_s),
          pct(r.ingestion.ratio_to_plain_insert),
        ],
        [
          `  of which inside the queue consumer (${n0(e.consumer.batches)} batches, ${pct(e.consumer.busy_share)} of the time)`,
          '',
          n1(e.consumer.busy_seconds),
          n0(e.consumer.events_per_busy_s),
          pct(e.consumer.events_per_busy_s / p.rows_per_s),
        ],
        [
          `plain D1 INSERT, 100-row batches (${p.rows_per_request} rows/request)`,
          n0(p.rows),
          n1(p.seconds),
          n0(p.rows_per_s),
          '100%',
        ],
      ],
    });
  }
  if (r.scaling) {
    out.push({
      title: `3. Scaling (same ${n0(r.scaling.runs[0].events)}-event mix; identified users are seeded persons 0–999)`,
      head: [
        'existing persons',
        'events stored',
        'seconds',
        'ms/event',
        'events/s',
        'cost vs first',
        'consumer ms/event',
        'consumer cost vs first',
      ],
      rows: r.scaling.runs.map((x) => [
        n0(x.existing_persons),
        `${n0(x.stored_events)}${x.complete ? '' : ' (incomplete)'}`,
        n1(x.seconds),
        x.ms_per_event.toFixed(3),
        n0(x.events_per_s),
        times(x.ms_per_event / r.scaling.runs[0].ms_per_event),
        consumerMs(x).toFixed(3),
        times(consumerMs(x) / consumerMs(r.scaling.runs[0])),
      ]),
    });
  }
  if (r.merges) {
    const m = r.merges;
    out.push({
      title: '4. Merges (every event an $identify merging an anonymous person into an identified one)',
      head: ['merges', 'seconds', 'merges/s', 'consumer busy s', 'merges per busy s'],
      rows: [
        [
          `${n0(m.merges_done)} of ${n0(m.events)}${m.complete ? '' : ' (incomplete)'}`,
          n1(m.seconds),
          n0(m.merges_per_s),
          n1(m.consumer.busy_seconds),
          n0(m.merges_done / m.consumer.busy_seconds),
        ],
      ],
    });
  }
  if (r.shards) {
    const [one] = r.shards.runs;
    out.push({
      title: `5. Shards (four projects' ${n0(one.events / 4)}-event mixes ingested at once; all on one D1 shard, then spread over two)`,
      head: ['layout', 'events stored', 'seconds', 'events/s', 'vs one shard'],
      rows: r.shards.runs.map((x) => [
        x.layout,
        `${n0(x.stored_events)}${x.complete ? '' : ' (incomplete)'}`,
        n1(x.seconds),
        n0(x.events_per_s),
        times(x.events_per_s / one.events_per_s),
      ]),
    });
  }
  if (r.query) {
    out.push({
      title: `6. Queries (POST /api/projects/:id/query/) over ${n0(r.query.events)} events and ${n0(r.query.persons)} persons (30% merged from an anonymous id, 2% person-less events); floor = the bare SELECT … GROUP BY day scan of the same rows, same run; median of ${c.queryRounds} rounds`,
      head: ['query', 'ms', 'floor ms', 'floor rows', 'ratio', 'target', 'vs TrendsQuery'],
      rows: r.query.runs.map((q) =>
        q.failed
          ? [q.name, q.failed, '', '', '', `≤ ${q.target}×`, '']
          : [
              q.name,
              n0(q.query_ms),
              n0(q.floor_ms),
              n0(q.floor_rows),
              times(q.ratio),
              `≤ ${q.target}×`,
              q.versus_ratio === undefined ? '' : `${times(q.versus_ratio)} (≤ ${q.versus_target}×)`,
            ],
      ),
    });
  }
  out.push(...storageSections(r));
  if (r.memory) {
    out.push({
      title: '8. Peak memory of the runtime (workerd processes under wrangler dev; RSS sampled every 200 ms)',
      head: ['phase', 'peak RSS MB'],
      rows: [
        ...Object.entries(r.memory.phases).map(([phase, mb]) => [phase, n0(mb)]),
        ['whole run (max of phases)', n0(r.memory.runtime_peak_rss_mb)],
        ['whole run, kernel VmHWM', n0(r.memory.runtime_vmhwm_mb)],
        ['wrangler (node) itself', n0(r.memory.wrangler_peak_rss_mb)],
      ],
    });
  }
  out.push({
    title: 'Targets',
    head: ['target', 'measured', 'met'],
    rows: targetsOf(r).map((t) => [t.target, t.measured, t.met ? 'yes' : 'NO']),
  });
  return out;
}

export function textReport(r) {
  const lines = [];
  for (const s of sections(r)) {
    lines.push('', s.title);
    const widths = s.head.map((h, i) => Math.max(h.length, ...s.rows.map((row) => row[i].length)));
    const fmt = (row) =>
      `  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')}`;
    lines.push(fmt(s.head), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
    for (const row of s.rows) lines.push(fmt(row));
  }
  return lines.join('\n');
}

/**
 * A full-size run of the query part alone (`BENCH_ONLY=query`, no size knobs): its section and its
 * targets replace those of the last full run in RESULTS.md, marked with the run's time.
 */
export function spliceQueryReport(markdown, r) {
  const full = markdownReport(r).split('\n');
  const start = full.findIndex((l) => l.startsWith('## 6. '));
  const end = full.findIndex((l, i) => i > start && l.startsWith('## '));
  const section = [
    ...full.slice(start, end).filter((l, i, all) => !(l === '' && i === all.length - 1)),
    '',
    `Section 6 and its targets: \`BENCH_ONLY=query npm run bench\` at full size, ${r.finished_at} (${n0(r.total_seconds)} s; load average ${r.machine.load_before.map((x) => x.toFixed(2)).join(' / ')} before).`,
  ];
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => l.startsWith('## 6. '));
  const next = lines.findIndex((l, i) => i > at && l.startsWith('## '));
  if (at < 0 || next < 0) throw new Error('RESULTS.md has no section 6 to replace');
  const out = [...lines.slice(0, at), ...section, '', ...lines.slice(next)];
  const names = r.query.runs.map((q) => `| ${q.name}: `);
  const rows = targetsOf(r).map((t) => `| ${t.target} | ${t.measured} | ${t.met ? 'yes' : 'NO'} |`);
  const kept = out.filter((l) => !names.some((n) => l.startsWith(n)));
  const targetsEnd = kept.findIndex((l, i) => i > kept.indexOf('## Targets') + 3 && !l.startsWith('|'));
  kept.splice(targetsEnd, 0, ...rows);
  return kept.join('\n');
}

export function markdownReport(r) {
  const m = r.machine;
  const lines = [
    '# Benchmark results',
    '',
    `Latest full run: ${r.finished_at} (\`${r.command}\`, ${n0(r.total_seconds)} s in all).`,
    '',
    `Machine: ${m.nproc} cores (${m.cpu_model}), ${n1(m.memory_gb)} GB RAM, Node ${m.node}, wrangler ${m.wrangler}, ${m.os}. ` +
      `Load average ${m.load_before.map((x) => x.toFixed(2)).join(' / ')} before the run and ${m.load_after.map((x) => x.toFixed(2)).join(' / ')} after ` +
      '(the machine is shared; other work on it shows in the figures).',
    '',
    'Everything runs on this one machine: `wrangler dev` (local D1, Durable Objects and Queues in workerd) and the load tool on loopback. ' +
      "Local D1 and the local queue broker are emulations, so the figures compare this service with the same runtime's own limits (the no-op route, a plain D1 insert) rather than predict production throughput.",
  ];
  for (const s of sections(r)) {
    lines.push(
      '',
      `## ${s.title}`,
      '',
      `| ${s.head.join(' | ')} |`,
      `| ${s.head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    );
    for (const row of s.rows) lines.push(`| ${row.join(' | ')} |`);
  }
  if (r.notes?.length) lines.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  lines.push('', `Raw figures: \`bench/results/latest.json\` after a run (git-ignored).`, '');
  return lines.join('\n');
}
