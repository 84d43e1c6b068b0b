/**
 * What every actors source yields: the actors one number counted (person ids,
 * or group keys when the number counts groups), with the columns that source
 * knows about each (PostHog's source columns: `event_count`, `event_distinct_ids`
 * and `last_seen` for trends, `appearances` for retention).
 */
import { QueryError } from './errors';

/** Upper bound on the actors behind one number that a request reads (ids and source columns only). */
export const MAX_SOURCE_ACTORS = 100_000;

export interface SourceActor {
  actor: string;
  event_count?: number;
  event_distinct_ids?: string[];
  last_seen?: string;
  appearances?: number[];
}

export type SourceColumn = 'event_count' | 'event_distinct_ids' | 'last_seen' | 'appearances';

export interface ActorsSource {
  actors: SourceActor[];
  /** The group type the number counts, or null for persons. */
  groupTypeIndex: number | null;
  /** The source columns this kind has. */
  columns: SourceColumn[];
}

export function checkActorCount(count: number): void {
  if (count > MAX_SOURCE_ACTORS) {
    throw new QueryError(
      400,
      'query_too_expensive',
      `This number counts more than ${MAX_SOURCE_ACTORS} actors; narrow the date range or add filters to list them.`,
      'query.source',
    );
  }
}

/** A field that means nothing for this source: a 400 naming it, never silently ignored. */
export function refuseFields(source: object, fields: string[], why: string): void {
  for (const field of fields) {
    const v = (source as Record<string, unknown>)[field];
    if (v !== undefined && v !== null) {
      throw QueryError.badField(`query.source.${field}`, `query.source.${field}: ${why}`);
    }
  }
}
