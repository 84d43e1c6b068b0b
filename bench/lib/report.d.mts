// Types of report.mjs, for the TypeScript tests.
export function markdownReport(results: object): string;
export function textReport(results: object): string;
export function targetsOf(results: object): { target: string; measured: string; met: boolean }[];
