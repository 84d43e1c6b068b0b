import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { projects } from './schema';

export type Project = typeof projects.$inferSelect;

/** A random, unguessable project token: `phc_` + 43 base64url characters (256 bits). */
export function newProjectToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64 = btoa(String.fromCharCode(...bytes));
  return `phc_${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

export async function createProject(db: Db, name: string, apiToken = newProjectToken()): Promise<Project> {
  const [row] = await db.insert(projects).values({ name, apiToken }).returning();
  if (!row) throw new Error('project insert returned no row');
  return row;
}

export const listProjects = (db: Db) => db.select().from(projects).orderBy(projects.id);

export async function getProject(db: Db, id: number): Promise<Project | undefined> {
  return db.select().from(projects).where(eq(projects.id, id)).get();
}

export async function projectIdOfToken(db: Db, apiToken: string): Promise<number | undefined> {
  const row = await db.select({ id: projects.id }).from(projects).where(eq(projects.apiToken, apiToken)).get();
  return row?.id;
}
