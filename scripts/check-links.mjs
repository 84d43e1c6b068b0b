#!/usr/bin/env node
// Every relative link in README.md and docs/*.md must point at a file of this repository (and,
// with a #fragment into a Markdown file, at one of its headings). Links to other sites are left
// alone. `node scripts/check-links.mjs` prints the broken ones and exits 1; the test
// test/docs-links.node.test.ts runs the same check.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(import.meta.dirname, '..');

/** README.md and every Markdown file directly under docs/. */
export function docFiles(root = repoRoot) {
  const docs = path.join(root, 'docs');
  const inDocs = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .map((name) => path.join(docs, name))
    : [];
  return [path.join(root, 'README.md'), ...inDocs];
}

/** The link targets of a Markdown text (inline links and images), outside fenced code blocks. */
export function linksOf(markdown) {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(file) {
  const text = readFileSync(file, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  const seen = new Map();
  const anchors = new Set();
  for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = slugOf(heading);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** Broken links as `file: target (why)`, relative to the root. */
export function brokenLinks(root = repoRoot) {
  const broken = [];
  for (const file of docFiles(root)) {
    const where = path.relative(root, file);
    for (const target of linksOf(readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const [pathPart, fragment] = target.split('#', 2);
      const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURI(pathPart));
      if (!resolved.startsWith(root + path.sep) && resolved !== root) {
        broken.push(`${where}: ${target} (outside the repository)`);
      } else if (!existsSync(resolved)) {
        broken.push(`${where}: ${target} (no such file)`);
      } else if (fragment && resolved.endsWith('.md') && statSync(resolved).isFile()) {
        if (!anchorsOf(resolved).has(fragment)) broken.push(`${where}: ${target} (no such heading)`);
      }
    }
  }
  return broken;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const broken = brokenLinks();
  for (const line of broken) console.error(line);
  console.log(`${docFiles().length} files checked, ${broken.length} broken link(s)`);
  process.exit(broken.length === 0 ? 0 : 1);
}
