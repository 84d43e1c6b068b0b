// docs/web-app-js.md states the JavaScript each page loads: generated from the built assets and
// src/web/page-assets.json (the list the pages load from), never stale; and no page loads a script
// that list does not name.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { docPath, pageScriptsMarkdown } from '../../scripts/page-scripts.mjs';

const WEB = path.resolve(import.meta.dirname, '../../src/web');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? sources(path.join(dir, d.name)) : d.name.endsWith('.tsx') ? [path.join(dir, d.name)] : [],
  );
}

describe('JavaScript per page', () => {
  it('docs/web-app-js.md is what scripts/page-scripts.mjs generates now', () => {
    const generated = pageScriptsMarkdown();
    expect(generated).toMatch(/\| insights: trends \| `app\.js`, `uPlot\.iife\.min\.js`, `insights\.js`/);
    expect(readFileSync(docPath, 'utf8'), 'run `node scripts/page-scripts.mjs`').toBe(generated);
  });

  it('pages name their scripts only through page-assets.json', () => {
    const inline = sources(WEB).filter((file) => /\b(scripts|libraries)=\{\[/.test(readFileSync(file, 'utf8')));
    expect(inline.map((f) => path.relative(WEB, f))).toEqual([]);
  });
});
