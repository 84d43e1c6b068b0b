// Types of splice-report.mjs, for the TypeScript tests.
export function spliceStorageReport(markdown: string, results: object): string;
