import type { Project } from '../db/projects';
import type { Env } from '../env';
import { projectQueryContext } from '../query/context';
import { QueryError } from '../query/errors';
import { runQuery } from '../query/run';
import { AnyQuery } from '../query/schema';
import { issuesText } from './issues';

type InsightOutcome =
  | { response: { results: unknown[] } & Record<string, unknown> }
  | { error: string; status: 400 | 501 | 504 };

/**
 * Runs a PostHog query for the insights page through the same schema and engine as
 * `POST /api/projects/:id/query/`, so the page shows the endpoint's numbers.
 */
export async function runInsight(env: Env, project: Project, query: Record<string, unknown>): Promise<InsightOutcome> {
  const parsed = AnyQuery.safeParse(query);
  if (!parsed.success) {
    return { error: issuesText(parsed.error, 'query'), status: 400 };
  }
  const ctx = await projectQueryContext(env, project, 'primary');
  try {
    const response = await runQuery(ctx, parsed.data);
    return { response: response as { results: unknown[] } & Record<string, unknown> };
  } catch (error) {
    if (error instanceof QueryError) return { error: error.detail, status: error.status };
    if (error instanceof Error && /not implemented/.test(error.message))
      return { error: 'This kind of insight is not available yet on this server.', status: 501 };
    throw error;
  }
}
