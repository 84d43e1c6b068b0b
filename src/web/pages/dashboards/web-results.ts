/** The saved insights and dashboards of the web app's current project, and what their results need. */
import { projectDb } from '../../../db/shards';
import type { ResultContext } from '../../../dashboards/results';
import { executionCtxOf } from '../../../http/context';
import type { WebContext } from '../../context';

export async function webResultContext(c: WebContext): Promise<ResultContext> {
  const project = c.get('project');
  const ctx = executionCtxOf(c);
  return {
    env: c.env,
    project,
    db: await projectDb(c.env, project.id),
    now: Date.now(),
    waitUntil: (work) => (ctx ? ctx.waitUntil(work) : void work),
  };
}

/** A positive integer from a path or form value, or undefined. */
export function idOf(text: unknown): number | undefined {
  const n = typeof text === 'string' && /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
