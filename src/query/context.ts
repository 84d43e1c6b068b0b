import type { Db } from '../db/client';

/** What every query kind runs with. `db` is a parameter so a project's shard can be passed in. */
export interface QueryContext {
  db: Db;
  projectId: number;
  /** The project's IANA time zone; buckets, labels and relative dates use it. */
  timezone: string;
  /** "Now" in ms, for relative date ranges. */
  now: number;
}
