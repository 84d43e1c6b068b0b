// Drives the service with autocannon from a second process.
import { spawn } from 'node:child_process';
import path from 'node:path';

const child = path.join(import.meta.dirname, 'autocannon-child.mjs');

/** Runs autocannon against `url` with one fixed body; resolves with its summary. */
export function autocannonRun({ url, headers, body, connections, durationSeconds }) {
  const spec = JSON.stringify({ url, headers, bodyBase64: Buffer.from(body).toString('base64'), connections, durationSeconds });
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, spec], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (err += c));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}
