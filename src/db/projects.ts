import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { projects } from './schema';

export type Project = typeof projects.$inferSelect;

/** What a project's owner may change with `PATCH /api/projects/:id/`. */
export type ProjectSettings = Pick<
  Project,
  | 'name'
  | 'timezone'
  | 'anonymizeIps'
  | 'dropEventsOlderThanSeconds'
  | 'cookielessServerHashMode'
  | 'eventRetentionDays'
>;

/** What capture needs to know of a project, resolved from its token. */
export type CaptureProject = Pick<
  Project,
  'id' | 'shard' | 'timezone' | 'anonymizeIps' | 'dropEventsOlderThanSeconds' | 'cookielessServerHashMode'
>;

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const TOKEN_CHARS = 43;

/**
 * A random, unguessable project token shaped like PostHog's: `phc_` + 43 letters
 * and digits (about 256 bits), so a double-click selects all of it.
 */
export function newProjectToken(): string {
  let token = 'phc_';
  while (token.length < 4 + TOKEN_CHARS) {
    for (const byte of crypto.getRandomValues(new Uint8Array(64))) {
      // 248 = 4 × 62: rejecting the top 8 byte values keeps every character equally likely.
      if (byte < 248 && token.length < 4 + TOKEN_CHARS) token += TOKEN_ALPHABET[byte % 62];
    }
  }
  return token;
}

/** A new project on `shard` (src/db/shards.ts `placeNewProject` picks it). */
export async function createProject(
  db: Db,
  name: string,
  shard: number,
  apiToken = newProjectToken(),
): Promise<Project> {
  const [row] = await db.insert(projects).values({ name, apiToken, shard }).returning();
  if (!row) throw new Error('project insert returned no row');
  return row;
}

export const listProjects = (db: Db) => db.select().from(projects).orderBy(projects.id);

export async function getProject(db: Db, id: number): Promise<Project | undefined> {
  return db.select().from(projects).where(eq(projects.id, id)).get();
}

export async function updateProjectSettings(
  db: Db,
  id: number,
  settings: Partial<ProjectSettings>,
): Promise<Project | undefined> {
  const changes = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
  if (Object.keys(changes).length === 0) return getProject(db, id);
  const [row] = await db.update(projects).set(changes).where(eq(projects.id, id)).returning();
  return row;
}

export async function captureProjectOfToken(db: Db, apiToken: string): Promise<CaptureProject | undefined> {
  return db
    .select({
      id: projects.id,
      shard: projects.shard,
      timezone: projects.timezone,
      anonymizeIps: projects.anonymizeIps,
      dropEventsOlderThanSeconds: projects.dropEventsOlderThanSeconds,
      cookielessServerHashMode: projects.cookielessServerHashMode,
    })
    .from(projects)
    .where(eq(projects.apiToken, apiToken))
    .get();
}
