// Drives the service with autocannon from a second process (so the load tool never
// shares an event loop with the bench driver).
import { spawn } from 'node:child_process';
import path from 'node:path';

const childPath = (name) => path.join(import.meta.dirname, name);

/** The autocannon options both children share: POST the spec's body to `url` over its connections for its duration. */
export const autocannonOptions = (spec, url) => ({
  url,
  method: 'POST',
  headers: spec.headers,
  body: Buffer.from(spec.bodyBase64, 'base64'),
  connections: spec.connections,
  duration: spec.durationSeconds,
  timeout: 30,
});

/** Runs `child` with the JSON spec; resolves with the last line it prints, parsed. */
function runChild(child, spec) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [childPath(child), JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${child} exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

/** Runs autocannon against `url` with one fixed body; resolves with its summary. */
export function autocannonRun({ url, headers, body, connections, durationSeconds }) {
  return runChild('autocannon-child.mjs', {
    url,
    headers,
    bodyBase64: Buffer.from(body).toString('base64'),
    connections,
    durationSeconds,
  });
}

/**
 * Runs one load that takes turns between `paths` of `baseUrl` in slots of `slotMs`
 * (interleaved-child.mjs); resolves with each path's req/s and latency, in the order given.
 */
export function interleavedRun({ baseUrl, paths, headers, body, connections, durationSeconds, slotMs, guardMs }) {
  const spec = {
    baseUrl,
    paths,
    headers,
    bodyBase64: Buffer.from(body).toString('base64'),
    connections,
    durationSeconds,
    slotMs,
    guardMs,
  };
  return runChild('interleaved-child.mjs', spec);
}
