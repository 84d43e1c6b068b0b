import type { QueryContext } from './context';
import { queryEnvelope, withTimings } from './envelope';
import type { AnyQueryInput } from './schema';
import { runEventsQuery } from './events-query';
import { runFunnels } from './funnels';
import { runRetention } from './retention';
import { runTrends } from './trends';

/** Runs one validated query; the response carries PostHog's envelope fields beside `results`. */
export async function runQuery(ctx: QueryContext, query: AnyQueryInput): Promise<Record<string, unknown>> {
  const started = Date.now();
  return withTimings(await runKind(ctx, query), started);
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
  }
}
