import { QUERY_BUDGET, type QueryLimits, QueryBudget, attachBudget, capAnswer } from './budget';
import type { QueryContext } from './context';
import { queryEnvelope, withTimings } from './envelope';
import { checkCost } from './cost';
import { runActorsQuery } from './actors';
import type { AnyQueryInput } from './schema';
import { databaseSchema } from './database-schema';
import { runEventsQuery } from './events-query';
import { runHogQLQuery } from './hogql-query';
import { runFunnels } from './funnels';
import { runRetention } from './retention';
import { runTrends } from './trends';

/**
 * Runs one validated query within its budget (budget.ts): cost checked before
 * it starts, every statement short and under its deadline, the answer within
 * its byte cap.
 */
export async function runQuery(
  ctx: QueryContext,
  query: AnyQueryInput,
  limits: QueryLimits = QUERY_BUDGET,
): Promise<Record<string, unknown>> {
  const started = Date.now();
  const budget = new QueryBudget({ ...limits });
  // A handle of this query's own (the shard's handle is shared), carrying its budget to every statement.
  const bounded: QueryContext = { ...ctx, db: Object.create(ctx.db) };
  attachBudget(bounded.db, budget);
  // An actors query costs what the number behind it costs.
  await checkCost(bounded, query.kind === 'ActorsQuery' ? query.source.source : query, budget);
  return capAnswer(withTimings(await runKind(bounded, query), started), budget.limits);
}

/** The response carries PostHog's envelope fields beside `results`. */
async function runKind(ctx: QueryContext, query: AnyQueryInput): Promise<Record<string, unknown>> {
  const envelope = await queryEnvelope(ctx, query);
  switch (query.kind) {
    case 'TrendsQuery':
      return { ...(await runTrends(ctx, query)), ...envelope };
    case 'FunnelsQuery':
      return { ...(await runFunnels(ctx, query)), ...envelope };
    case 'RetentionQuery':
      return { ...(await runRetention(ctx, query)), ...envelope };
    case 'EventsQuery':
      return { ...(await runEventsQuery(ctx, query)), ...envelope };
    case 'ActorsQuery':
      return { ...(await runActorsQuery(ctx, query)), ...envelope };
    case 'HogQLQuery':
      return { ...(await runHogQLQuery(ctx, query)), ...envelope };
    case 'DatabaseSchemaQuery':
      return { ...databaseSchema(), ...envelope };
  }
}
