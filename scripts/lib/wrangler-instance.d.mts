// Types for wrangler-instance.mjs (so TypeScript callers need no allowJs).

export declare const repoRoot: string;

/** A TCP port that was free a moment ago on 127.0.0.1. */
export declare function freePort(): Promise<number>;

export declare function wranglerVersion(options?: { root?: string }): Promise<string | undefined>;

export interface WranglerInstanceOptions {
  /** The checkout to run (default: this one). */
  root?: string;
  /** The Worker's entry module, relative to root (default: `main` of wrangler.toml). */
  entry?: string;
  /** Prefix of the temporary persistence directory (which also holds wrangler.log). */
  tmpPrefix?: string;
  /** Prefix of the random PERSONAL_API_KEY, e.g. 'phx_e2e_'. */
  apiKeyPrefix?: string;
  /** Extra `--var NAME:value` bindings (PERSONAL_API_KEY is always set). */
  vars?: Record<string, string>;
  /** wrangler's --log-level (default 'warn'). */
  logLevel?: 'debug' | 'info' | 'log' | 'warn' | 'error' | 'none' | (string & {});
  /** Further `wrangler dev` arguments. */
  extraArgs?: string[];
  /** Leave the persistence directory (and its log) in place after stop(). */
  keep?: boolean;
  /** Called with every complete line wrangler prints. */
  onLine?: (line: string) => void;
  /** Start again on this killed instance's persistence directory (no migrations) with its key. */
  restartOf?: Pick<WranglerInstance, 'persistDir' | 'apiKey'>;
}

export interface WranglerInstance {
  baseUrl: string;
  port: number;
  apiKey: string;
  persistDir: string;
  logFile: string;
  /** wrangler's pid (workerd runs beneath it). */
  pid: number;
  /** The last lines wrangler printed, for failure messages. */
  recentLog(): string;
  /** Stops wrangler and workerd (whole process group), then removes the persistence directory unless `keep`. */
  stop(): Promise<void>;
  /** SIGKILLs the whole process group at once (no clean shutdown) and keeps the persistence directory. */
  kill(): Promise<void>;
}

export declare function startIsolatedWrangler(options?: WranglerInstanceOptions): Promise<WranglerInstance>;
