// Types for page-scripts.mjs (so TypeScript callers need no allowJs).

export declare const docPath: string;
export declare function pageScriptsMarkdown(options?: { root?: string }): string;
