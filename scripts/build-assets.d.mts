// Types for build-assets.mjs (so TypeScript callers need no allowJs).

export declare const repoRoot: string;
export declare const assetsDir: string;

export interface AssetEntry {
  /** A file or directory, relative to the repo root. */
  from: string;
  /** Its place under `.assets/`. */
  to: string;
  /** For a directory: keep only the files whose names match. */
  only?: RegExp;
}

export declare const ASSETS: AssetEntry[];

export declare function buildAssets(options?: { root?: string; entries?: AssetEntry[] }): {
  dir: string;
  files: number;
  copied: number;
};
