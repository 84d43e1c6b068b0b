/** Request paths: the `PATH_PREFIX` capture and the web app are also mounted under. */

/** Whether `path` is `base` itself or a path below it (`/ingest`, `/ingest/e/`; not `/ingestion`). */
export const isUnder = (path: string, base: string): boolean => path === base || path.startsWith(`${base}/`);

/** `PATH_PREFIX` as a clean prefix (`/ingest`), or undefined when capture is only at the root. */
export function pathPrefixOf(value: string | undefined): string | undefined {
  const prefix = (value ?? '').trim().replace(/\/+$/, '');
  if (prefix === '') return undefined;
  return prefix.startsWith('/') ? prefix : `/${prefix}`;
}
