import { sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { eventListSql } from '../../src/db/event-reads';
import { findGroupSql, groupListSql, groupsOfPersonSql } from '../../src/db/group-reads';
import { dbOf } from '../../src/db/client';
import { at, env } from '../support';

// Every shard has the same schema and indexes: the plan is the same on each.
const db = dbOf(env.SHARD_1);

/** The group reads search indexes; none scans a table (as test/api/api-query-plans.test.ts for the other reads). */
async function planOf(query: SQL): Promise<string[]> {
  const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`);
  return rows.map((r) => r.detail);
}

const FULL_SCAN = /^SCAN (groups|group_type_mapping|events|person_distinct_ids|e|g|m|d)\b/;
const person = crypto.randomUUID();

const queries: [string, SQL, RegExp[]][] = [
  [
    'groups: list',
    groupListSql(1, { groupTypeIndex: 0 }, 101),
    [/SEARCH groups USING INDEX groups_project_type_created_idx \(project_id=\? AND group_type_index=\?\)/],
  ],
  [
    'groups: next page with search',
    groupListSql(1, { groupTypeIndex: 0, search: 'acme', cursor: { createdAt: at(3), groupKey: 'k' } }, 101),
    [
      new RegExp(
        'SEARCH groups USING INDEX groups_project_type_created_idx ' +
          '\\(project_id=\\? AND group_type_index=\\? AND created_at<\\?\\)',
      ),
    ],
  ],
  [
    'groups: find',
    findGroupSql(1, 0, 'acme'),
    [/SEARCH groups USING INDEX sqlite_autoindex_groups_1 \(project_id=\? AND group_type_index=\? AND group_key=\?\)/],
  ],
  ...[0, 4].map((index): [string, SQL, RegExp[]] => [
    `events of a group (group_${index})`,
    eventListSql(1, { group: { index, key: 'acme' }, cursor: { timestamp: at(5), uuid: crypto.randomUUID() } }, 51),
    [
      new RegExp(
        `SEARCH e USING INDEX events_project_group${index}_timestamp_idx ` +
          `\\(project_id=\\? AND group_${index}=\\? AND timestamp<\\?\\)`,
      ),
    ],
  ]),
  [
    "groups of a person's recent events",
    groupsOfPersonSql(1, person, 50),
    [
      /SEARCH e USING INDEX events_project_distinct_timestamp_idx \(project_id=\? AND distinct_id=\?\)/,
      /person_distinct_ids_person_idx \(person_id=\?\)/,
    ],
  ],
];

describe('query plans of the group reads', () => {
  for (const [name, query, expected] of queries) {
    it(`${name}: searches an index, never scans a table`, async () => {
      const plan = await planOf(query);
      console.log(`\n### ${name}\n${plan.map((line) => `    ${line}`).join('\n')}`);
      for (const line of plan) expect(line, plan.join('\n')).not.toMatch(FULL_SCAN);
      for (const pattern of expected) expect(plan.join('\n')).toMatch(pattern);
    });
  }
});
