// Runs one autocannon load that takes turns between several paths of the same
// server in short time slots, and prints each path's throughput and latency as
// one JSON line. Slot k serves paths[k % paths.length]: every connection sends
// that path's request while the slot lasts, so all paths meet the same machine
// load, sub-second spikes included.
//
// A slot's first `guardMs` belong to the previous path: its requests still in
// flight finish then. A path's throughput counts its responses that arrive
// after the guard of one of its own slots, over that time; its latencies are
// of requests sent then. The first slot (connections opening) and the last one
// (cut short by the end of the run) count for nobody.
//
// Usage: node interleaved-child.mjs '<spec json>'
//   spec: {baseUrl, paths, headers, bodyBase64, connections, durationSeconds, slotMs, guardMs}
import autocannon from 'autocannon';
import { autocannonOptions } from './load.mjs';

const spec = JSON.parse(process.argv[2]);
const { paths, slotMs, guardMs } = spec;
const lastSlot = Math.floor((spec.durationSeconds * 1000) / slotMs) - 1;
const stats = paths.map(() => ({ ok: 0, statusCodes: {}, latencies: [], slots: 0 }));
for (let slot = 1; slot < lastSlot; slot++) stats[slot % paths.length].slots++;

const start = performance.now();
/** The slot at `now`, and whether `now` is past its guard and inside the measured slots. */
function slotAt(now) {
  const elapsed = now - start;
  const slot = Math.floor(elapsed / slotMs);
  return { path: slot % paths.length, measured: slot >= 1 && slot < lastSlot && elapsed - slot * slotMs >= guardMs };
}

const result = await autocannon({
  ...autocannonOptions(spec, spec.baseUrl),
  requests: [
    {
      // One request in flight per connection, so the connection's context describes it.
      setupRequest(request, context) {
        const now = performance.now();
        const at = slotAt(now);
        context.path = at.path;
        context.sent = now;
        context.sentMeasured = at.measured;
        return { ...request, path: paths[at.path] };
      },
      onResponse(status, _body, context) {
        const now = performance.now();
        const s = stats[context.path];
        s.statusCodes[status] = (s.statusCodes[status] ?? 0) + 1;
        const ok = status >= 200 && status < 300;
        if (ok && context.sentMeasured) s.latencies.push(now - context.sent);
        const at = slotAt(now);
        if (ok && at.measured && at.path === context.path) s.ok++;
      },
    },
  ],
});

const quantile = (sorted, q) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
console.log(
  JSON.stringify({
    duration_s: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    paths: stats.map((s, i) => {
      const sorted = s.latencies.sort((a, b) => a - b);
      const seconds = (s.slots * (slotMs - guardMs)) / 1000;
      const non2xx = Object.entries(s.statusCodes).reduce(
        (n, [code, count]) => n + (code.startsWith('2') ? 0 : count),
        0,
      );
      return {
        path: paths[i],
        measured_seconds: seconds,
        ok_counted: s.ok,
        ok_per_s: s.ok / seconds,
        latency_ms: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) },
        requests: Object.values(s.statusCodes).reduce((a, b) => a + b, 0),
        non_2xx: non2xx,
        status_codes: s.statusCodes,
      };
    }),
  }),
);
