import type { QueryContext } from './context';
import type { AnyQueryInput } from './schema';
import { runEventsQuery } from './events-query';
import { runFunnels } from './funnels';
import { runRetention } from './retention';
import { runTrends } from './trends';

/** Runs one validated query; the response carries PostHog's envelope fields beside `results`. */
export async function runQuery(ctx: QueryContext, query: AnyQueryInput): Promise<Record<string, unknown>> {
  const envelope = { is_cached: false, last_refresh: new Date(ctx.now).toISOString(), timezone: ctx.timezone };
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
