/**
 * Example values of a property, as PostHog's property filter suggests them (`GET …/events/values/?key=`): for an
 * event property the values seen in the last 7 days' events (10), for a person property the most common among
 * persons (20), most frequent first. Read with a HogQL query through the query engine.
 */
import { z } from 'zod';
import type { Project } from '../db/projects';
import type { Env } from '../env';
import { printString } from '../hogql/print';
import type { WebContext } from './context';
import { issuesText } from './issues';
import { runInsight } from './run-insight';
import type { PropertyKind } from './taxonomy';

export interface ExampleValue {
  value: string;
  count: number;
}

function valuesQuery(kind: PropertyKind, key: string): string {
  const property = `properties[${printString(key)}]`;
  if (kind === 'person')
    return `SELECT ${property} AS value, count() AS n FROM persons WHERE ${property} != '' GROUP BY value ORDER BY n DESC, value LIMIT 20`;
  return (
    `SELECT ${property} AS value, count() AS n FROM events ` +
    `WHERE timestamp >= toStartOfDay(now() - INTERVAL 7 DAY) AND ${property} != '' ` +
    'GROUP BY value ORDER BY n DESC, value LIMIT 10'
  );
}

export async function exampleValues(
  env: Env,
  project: Project,
  kind: PropertyKind,
  key: string,
): Promise<ExampleValue[]> {
  const outcome = await runInsight(env, project, { kind: 'HogQLQuery', query: valuesQuery(kind, key) });
  if ('error' in outcome) return [];
  return (outcome.response.results as [unknown, unknown][]).map(([value, n]) => ({
    value: String(value),
    count: Number(n),
  }));
}

const ValuesParams = z
  .object({
    type: z.enum(['event', 'person']),
    key: z.string().min(1).max(400),
  })
  .strict();

/** `GET …/property-values.json?type=event&key=$browser`: `{results: [{value, count}]}` for picker.js. */
export async function propertyValuesJson(c: WebContext) {
  const parsed = ValuesParams.safeParse(c.req.query());
  if (!parsed.success) return c.json({ type: 'validation_error', detail: issuesText(parsed.error, 'query') }, 400);
  const { type, key } = parsed.data;
  return c.json({ results: await exampleValues(c.env, c.get('project'), type, key) });
}
