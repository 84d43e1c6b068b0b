// Types for check-links.mjs (so TypeScript callers need no allowJs).

export declare const repoRoot: string;
/** README.md and every Markdown file directly under docs/. */
export declare function docFiles(root?: string): string[];
/** The link targets of a Markdown text (inline links and images), outside fenced code blocks. */
export declare function linksOf(markdown: string): string[];
/** GitHub's anchor of a heading. */
export declare function slugOf(heading: string): string;
/** Broken links as `file: target (why)`, relative to the root. */
export declare function brokenLinks(root?: string): string[];
