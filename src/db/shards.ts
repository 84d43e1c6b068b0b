import type { Env } from '../env';

/**
 * The D1 database holding a project's own data: persons, distinct ids, merge
 * history, events, warnings, groups, staged events. `env.DB` is the catalog
 * (projects, tokens, settings). Every path that reads or writes a project's
 * data gets its database here, so projects can live on separate D1 shards.
 */
export async function projectDatabase(env: Env, projectId: number): Promise<D1Database> {
  void projectId;
  return env.DB;
}
