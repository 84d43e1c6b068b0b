// Runs one autocannon load in its own process (so the load tool never shares an
// event loop with the bench driver) and prints its summary as one JSON line.
// Usage: node autocannon-child.mjs '<spec json>'
//   spec: {url, headers, bodyBase64, connections, durationSeconds}
import autocannon from 'autocannon';
import { autocannonOptions } from './load.mjs';

const spec = JSON.parse(process.argv[2]);
const result = await autocannon(autocannonOptions(spec, spec.url));
const ok = result['2xx'];
console.log(
  JSON.stringify({
    duration_s: result.duration,
    requests: result.requests.total,
    ok,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    ok_per_s: ok / result.duration,
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
  }),
);
