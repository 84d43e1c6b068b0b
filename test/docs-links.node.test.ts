// README.md and docs/*.md link only to files that exist in this repository (and to headings
// that exist in them); links to other sites are not followed. Plain Node: `--project node`.
import { describe, expect, it } from 'vitest';
import { brokenLinks, docFiles, linksOf, slugOf } from '../scripts/check-links.mjs';

describe('documentation links', () => {
  it('every relative link in README.md and docs/*.md points at an existing file and heading', () => {
    expect(docFiles().length).toBeGreaterThan(1);
    expect(brokenLinks()).toEqual([]);
  });

  it('finds links and images outside code blocks, and spells anchors as GitHub does', () => {
    const text = '[a](docs/a.md) ![b](b.png "title")\n```\n[c](not-a-link.md)\n```\n[d](https://example.com)';
    expect(linksOf(text)).toEqual(['docs/a.md', 'b.png', 'https://example.com']);
    expect(slugOf('Reliability suites (`test/reliability/`)')).toBe('reliability-suites-testreliability');
    expect(slugOf('Locally: one placeholder location for everyone')).toBe(
      'locally-one-placeholder-location-for-everyone',
    );
  });
});
