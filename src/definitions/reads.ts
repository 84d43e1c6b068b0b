/**
 * The listing reads of `GET …/event_definitions/` and `…/property_definitions/`,
 * with PostHog's filters and orderings (posthog/api/event_definition.py,
 * posthog/taxonomy/property_definition_api.py). Every value is bound; a page is
 * one read plus its count, over the project's definitions (one row per name).
 */
import type { Db } from '../db/client';
import type { PropertyType } from './property-type';

/** Non-`$` event properties of PostHog's taxonomy (hidden by `exclude_core_properties`). */
const CORE_EVENT_PROPERTIES = [
  'distinct_id',
  ...['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'],
  ...['gclid', 'gad_source', 'gclsrc', 'dclid', 'gbraid', 'wbraid', 'fbclid', 'msclkid', 'twclid', 'li_fat_id'],
  ...['mc_cid', 'igshid', 'ttclid', 'rdt_cid', 'epik', 'qclid', 'sccid', 'irclid', '_kx'],
];
/** Event properties PostHog never lists (ALWAYS_EXCLUDED_EVENT_PROPERTIES; `$session_entry_*` too). */
const ALWAYS_EXCLUDED_EVENT_PROPERTIES = [
  ...['distinct_id', '$set', '$set_once', '$initial_referrer', '$initial_referring_domain'],
  ...['$groups', '$group_type', '$group_key', '$group_set', ...[0, 1, 2, 3, 4].map((i) => `$group_${i}`)],
];

interface Page {
  limit: number;
  offset: number;
}

/** PostHog's term search: every word of `search` appears in the name (ASCII case-insensitive). */
function searchConditions(search: string | undefined, where: string[], params: unknown[]) {
  for (const word of (search ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean)) {
    where.push('instr(lower(name), ?) > 0');
    params.push(word);
  }
}

async function countAndPage<Row>(db: Db, from: string, select: string, order: string, params: unknown[], page: Page) {
  const client = db.$client;
  const [count, rows] = await client.batch<Record<string, unknown>>([
    client.prepare(`SELECT count(*) AS n FROM ${from}`).bind(...params),
    client
      .prepare(`SELECT ${select} FROM ${from} ORDER BY ${order} LIMIT ? OFFSET ?`)
      .bind(...params, page.limit, page.offset),
  ]);
  return { count: Number(count?.results[0]?.n ?? 0), rows: (rows?.results ?? []) as Row[] };
}

export const EVENT_ORDERINGS = ['name', 'last_seen_at', 'last_seen_at::date'] as const;
export type EventOrdering = `${'' | '-'}${(typeof EVENT_ORDERINGS)[number]}`;

interface EventDefinitionFilter extends Page {
  search?: string;
  /** Only these names (exact). */
  names?: string[];
  /** `event_custom`: names not starting with `$`; `event_posthog`: those starting with `$`. */
  eventType: 'event' | 'event_custom' | 'event_posthog' | 'all';
  excluded: string[];
  ordering: EventOrdering[];
}

interface EventDefinitionRow {
  id: string;
  name: string;
  created_at: string;
  last_seen_at: string;
}

export function listEventDefinitions(db: Db, projectId: number, filter: EventDefinitionFilter) {
  const where = ['project_id = ?'];
  const params: unknown[] = [projectId];
  searchConditions(filter.search, where, params);
  if (filter.names) {
    where.push('name IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.names));
  }
  if (filter.eventType === 'event_custom') where.push(`substr(name, 1, 1) <> '$'`);
  if (filter.eventType === 'event_posthog') where.push(`substr(name, 1, 1) = '$'`);
  if (filter.excluded.length > 0) {
    where.push('name NOT IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.excluded));
  }
  const orderings: EventOrdering[] = filter.ordering.length > 0 ? filter.ordering : ['-last_seen_at::date', 'name'];
  const order = orderings.map((o) => {
    const column = o.replace(/^-/, '') === 'last_seen_at::date' ? 'substr(last_seen_at, 1, 10)' : o.replace(/^-/, '');
    return `${column} ${o.startsWith('-') ? 'DESC' : 'ASC'}`;
  });
  return countAndPage<EventDefinitionRow>(
    db,
    `event_definitions WHERE ${where.join(' AND ')}`,
    'id, name, created_at, last_seen_at',
    [...order, 'name ASC'].join(', '),
    params,
    filter,
  );
}

interface PropertyDefinitionFilter extends Page {
  type: 1 | 2 | 3;
  groupTypeIndex: number;
  search?: string;
  names?: string[];
  isNumerical?: boolean | null;
  isFeatureFlag?: boolean | null;
  eventNames?: string[];
  filterByEventNames?: boolean | null;
  excluded: string[];
  excludeCoreProperties: boolean;
}

interface PropertyDefinitionRow {
  id: string;
  name: string;
  property_type: PropertyType | null;
  is_seen_on_filtered_events: number | null;
}

export function listPropertyDefinitions(db: Db, projectId: number, filter: PropertyDefinitionFilter) {
  const where = ['project_id = ?', 'type = ?', 'group_type_index = ?'];
  const params: unknown[] = [projectId, filter.type, filter.groupTypeIndex];
  const notIn = (names: string[]) => {
    where.push('name NOT IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(names));
  };
  if (filter.names?.length) {
    where.push('name IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(filter.names));
  }
  if (filter.isNumerical) {
    where.push(`property_type = 'Numeric'`);
    notIn(['distinct_id', 'timestamp']);
  }
  if (filter.isFeatureFlag != null) where.push(`name ${filter.isFeatureFlag ? '' : 'NOT '}LIKE '$feature/%'`);
  searchConditions(filter.search, where, params);
  if (filter.excluded.length > 0) notIn(filter.excluded);
  if (filter.type === 1 && filter.excludeCoreProperties) {
    where.push(`substr(name, 1, 1) <> '$'`);
    notIn(CORE_EVENT_PROPERTIES);
  } else if (filter.type === 1) {
    notIn(ALWAYS_EXCLUDED_EVENT_PROPERTIES);
    where.push(`name NOT LIKE '$session\\_entry\\_%' ESCAPE '\\'`);
  }
  let seen = 'NULL';
  const seenParams: unknown[] = [];
  if (filter.type === 1 && filter.eventNames?.length) {
    seen = `name IN (SELECT property FROM event_properties
      WHERE project_id = ? AND event IN (SELECT value FROM json_each(?)))`;
    seenParams.push(projectId, JSON.stringify(filter.eventNames));
    if (filter.filterByEventNames) {
      where.push(seen);
      params.push(...seenParams);
    }
  }
  // `seen` is selected before the WHERE's parameters are bound, so its own come first.
  return countAndPage<PropertyDefinitionRow>(
    db,
    `(SELECT id, name, property_type, ${seen} AS is_seen_on_filtered_events
      FROM property_definitions WHERE ${where.join(' AND ')})`,
    '*',
    'is_seen_on_filtered_events DESC, name ASC',
    [...seenParams, ...params],
    filter,
  );
}
