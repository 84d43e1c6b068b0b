#!/usr/bin/env node
// Assembles the Worker's static assets (wrangler.toml [assets], binding ASSETS) into `.assets/`
// from installed npm packages, so every script a page of the service loads is served
// first-party. Run by `npm start`, `npm run dev`, `npm run deploy`, the vitest configs and the
// wrangler harness of the e2e suite and the benchmarks; cheap when nothing changed.
//
// To ship more files, add an entry to ASSETS: `from` is a file or directory relative to the
// repo root, `to` its place under `.assets/` (the path the Worker asks ASSETS for), `only`
// optionally keeps the files of a directory whose names match; `join: true` makes `to` one file of the directory's
// files joined in name order (the web app's stylesheet is kept in parts of a readable size).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(import.meta.dirname, '..');
export const assetsDir = path.join(repoRoot, '.assets');

export const ASSETS = [
  // posthog-js's built scripts, served by capture at /static/<name>.js (src/capture/static.ts).
  { from: 'node_modules/posthog-js/dist', to: 'posthog-js', only: /^[^.][^/]*\.js$/ },
  // The API reference's script, served at /api/docs/reference.js (src/api/docs.ts).
  { from: 'node_modules/@scalar/api-reference/dist/browser/standalone.js', to: 'api-reference/standalone.js' },
  // The web app's own scripts and stylesheet, served at /app/assets/<name> (src/web/assets.ts).
  { from: 'src/web/client', to: 'webapp', only: /^[^.][^/]*\.(js|css)$/ },
  { from: 'src/web/client/app-css', to: 'webapp/app.css', only: /^[^.][^/]*\.css$/, join: true },
  // The chart library of the web app's trends (uPlot), served the same way.
  { from: 'node_modules/uplot/dist', to: 'webapp', only: /^uPlot\.(iife\.min\.js|min\.css)$/ },
];

/** Copies every entry of ASSETS into `.assets/`, skipping files that are already up to date. */
export function buildAssets({ root = repoRoot, entries = ASSETS } = {}) {
  const outDir = path.join(root, '.assets');
  const wanted = new Set();
  let copied = 0;
  for (const entry of entries) {
    const from = path.join(root, entry.from);
    if (!existsSync(from)) throw new Error(`build-assets: ${entry.from} is missing; run \`npm install\` first.`);
    if (entry.join) {
      const dest = path.join(outDir, entry.to);
      wanted.add(dest);
      if (writeIfChanged(dest, joined(from, entry.only))) copied += 1;
      continue;
    }
    const files = statSync(from).isDirectory()
      ? readdirSync(from)
          .filter((name) => !entry.only || entry.only.test(name))
          .filter((name) => statSync(path.join(from, name)).isFile())
          .map((name) => [path.join(from, name), path.join(outDir, entry.to, name)])
      : [[from, path.join(outDir, entry.to)]];
    for (const [src, dest] of files) {
      wanted.add(dest);
      if (copyIfChanged(src, dest)) copied += 1;
    }
  }
  removeStale(outDir, wanted);
  return { dir: outDir, files: wanted.size, copied };
}

function copyIfChanged(src, dest) {
  const s = statSync(src);
  if (existsSync(dest)) {
    const d = statSync(dest);
    if (d.size === s.size && Math.abs(d.mtimeMs - s.mtimeMs) < 2) return false;
  }
  mkdirSync(path.dirname(dest), { recursive: true });
  // Through a temporary name, so a Worker reading the directory meanwhile never sees half a file.
  const tmp = `${dest}.${process.pid}.tmp`;
  copyFileSync(src, tmp);
  utimesSync(tmp, s.atime, s.mtime);
  renameSync(tmp, dest);
  return true;
}

function joined(dir, only) {
  const names = readdirSync(dir)
    .filter((name) => !only || only.test(name))
    .sort();
  return names.map((name) => readFileSync(path.join(dir, name), 'utf8')).join('');
}

function writeIfChanged(dest, text) {
  if (existsSync(dest) && readFileSync(dest, 'utf8') === text) return false;
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, dest);
  return true;
}

/** Files left from entries that were removed or renamed. */
function removeStale(dir, wanted) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      removeStale(p, wanted);
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true, force: true });
    } else if (!wanted.has(p) && !p.endsWith('.tmp')) {
      rmSync(p, { force: true });
    }
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { dir, files, copied } = buildAssets();
  console.log(`assets: ${files} files in ${path.relative(process.cwd(), dir) || '.'} (${copied} copied)`);
}
