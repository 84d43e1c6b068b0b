import { sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { eventByUuidSql, eventTimestampsSql } from '../../src/db/event-reads';
import { lastSeenSql, personIdsOfDistinctIdsSql } from '../../src/db/person-reads';
import { mergeWarningsSql, warningsOfEventSql, warningTypeCountsSql } from '../../src/db/warning-reads';
import { dbOf } from '../../src/db/client';
import { at, env, newProjectOnShard, seedEvents, seedPerson, seedWarnings } from '../support';

// The data, its ANALYZE statistics and the plans on one shard (every shard has the same schema and indexes).
const db = dbOf(env.SHARD_1);

/** The web app's own reads search indexes too (as the REST reads do, test/api/api-query-plans.test.ts). */
async function planOf(query: SQL): Promise<string[]> {
  const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`);
  return rows.map((r) => r.detail);
}

const FULL_SCAN = /^SCAN (persons|events|person_distinct_ids|person_merges|ingestion_warnings|projects|p|e|m|d|w)\b/;
const person = crypto.randomUUID();

const queries: [string, SQL, RegExp[]][] = [
  [
    'persons page: last seen',
    lastSeenSql(1, [person, crypto.randomUUID()]),
    [
      /SEARCH d USING INDEX person_distinct_ids_person_idx \(person_id=\?\)/,
      /SEARCH e USING COVERING INDEX events_project_distinct_timestamp_idx \(project_id=\? AND distinct_id=\?\)/,
    ],
  ],
  [
    'warnings page: persons of the named ids',
    personIdsOfDistinctIdsSql(1, ['a', 'b']),
    [/SEARCH d USING INDEX sqlite_autoindex_person_distinct_ids_1 \(project_id=\? AND distinct_id=\?\)/],
  ],
  [
    'warnings page: types',
    warningTypeCountsSql(1),
    [/ingestion_warnings_project_type_timestamp_idx \(project_id=\?\)/],
  ],
  [
    'person page: event times of its history',
    eventTimestampsSql(1, ['u1', 'u2']),
    [/SEARCH e USING INDEX sqlite_autoindex_events_1 \(project_id=\? AND uuid=\?\)/],
  ],
  [
    'person page: refused merges',
    mergeWarningsSql(1, ['a', 'b'], 200),
    [/SEARCH w USING INDEX ingestion_warnings_project_type_timestamp_idx \(project_id=\? AND type=\?\)/],
  ],
  [
    'event page: the event',
    eventByUuidSql(1, 'u1'),
    [/SEARCH e USING INDEX sqlite_autoindex_events_1 \(project_id=\? AND uuid=\?\)/],
  ],
  [
    'event page: its warnings',
    warningsOfEventSql(1, 'u1'),
    [/SEARCH w USING INDEX ingestion_warnings_event_type_unique \(project_id=\? AND event_uuid=\?\)/],
  ],
];

describe('query plans of the web app reads', () => {
  it('with data in the tables', async () => {
    const { id: projectId } = await newProjectOnShard(1);
    for (let i = 0; i < 10; i++) await seedPerson(projectId, { distinctIds: [`web-plan-${i}`], createdAt: at(i) });
    await seedEvents(
      projectId,
      Array.from({ length: 20 }, (_, i) => ({ distinctId: `web-plan-${i % 10}`, timestamp: at(i) })),
    );
    await seedWarnings(projectId, [
      { type: 'cannot_merge_already_identified', details: { sourcePersonDistinctId: 'a' }, timestamp: at(1) },
    ]);
    await db.run(sql`ANALYZE`);
  });

  for (const [name, query, expected] of queries) {
    it(`${name}: searches an index, scans no table`, async () => {
      const plan = await planOf(query);
      for (const line of expected)
        expect(
          plan.some((d) => line.test(d)),
          `${line} in\n${plan.join('\n')}`,
        ).toBe(true);
      expect(
        plan.filter((d) => FULL_SCAN.test(d)),
        plan.join('\n'),
      ).toEqual([]);
    });
  }
});
