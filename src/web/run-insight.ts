import type { Project } from '../db/projects';
import type { Env } from '../env';

export type InsightOutcome = { response: { results: unknown[] } & Record<string, unknown> } | { error: string };

/** Runs a PostHog query for the insights page with the same validation and engine as `POST /api/projects/:id/query/`. */
export async function runInsight(env: Env, project: Project, query: Record<string, unknown>): Promise<InsightOutcome> {
  void env;
  void project;
  void query;
  return { error: 'The query engine has not landed yet.' };
}
