/**
 * Groups in queries: a group's properties as a property source (`type:
 * "group"` with `group_type_index`), and groups as what a series counts
 * (`unique_group`, `aggregation_group_type_index`). Both read the event's
 * `group_N` column, filled at ingestion from `$groups` (src/groups/).
 */
import { sql, type SQL } from 'drizzle-orm';
import { MAX_GROUP_TYPES } from '../groups/rules';
import { QueryError } from './errors';
import type { AggregationTarget, PropertySource } from './types';

/** The event's key of its group of type `index` (NULL when it has none). */
function groupColumn(index: number): SQL {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_GROUP_TYPES)
    throw new Error(`bad group type index ${index}`);
  return sql.raw(`e.group_${index}`);
}

/**
 * The properties of the event's group of type `index`, now: a lookup by the
 * groups primary key per row, NULL when the event has no such group.
 */
export function groupPropertySource(index: number): PropertySource {
  return {
    column: sql`(SELECT g.properties FROM groups g WHERE g.project_id = e.project_id
      AND g.group_type_index = ${sql.raw(String(index))} AND g.group_key = ${groupColumn(index)})`,
    require: (needs) => {
      needs.row = true;
    },
  };
}

/** Counts distinct groups of type `index` instead of persons; events without such a group count for nothing. */
export function groupTarget(index: number): AggregationTarget {
  return {
    actor: sql`NULLIF(${groupColumn(index)}, '')`,
    require: (needs) => {
      needs.row = true;
    },
  };
}

/** A `group_type_index` a group property or group aggregation needs. */
export function requiredGroupIndex(index: number | null | undefined, attr: string, what: string): number {
  if (index === undefined || index === null) {
    throw QueryError.badField(attr, `${attr}: ${what} needs a group type index (0 to ${MAX_GROUP_TYPES - 1}).`);
  }
  return index;
}
