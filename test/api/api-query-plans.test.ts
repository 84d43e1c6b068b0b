import { sql, type SQL } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { eventListSql } from '../../src/db/event-reads';
import { distinctIdsOfPersonsSql, personByIdSql, personHistorySql, personListSql } from '../../src/db/person-reads';
import { warningListSql } from '../../src/db/warning-reads';
import { dbOf } from '../../src/db/client';
import { QUERY_BUDGET, type QueryLimits } from '../../src/query/budget';
import { runQuery } from '../../src/query/run';
import { AnyQuery } from '../../src/query/schema';
import { at, dbFor, env, newProject, seedEvents, seedPerson } from '../support';

/**
 * The REST reads must stay index-driven with many persons and events: every
 * project-scoped query searches an index, never scans a whole table. The plans
 * printed here are the ones recorded in docs/query-plans.md.
 */
async function planOf(query: SQL, db = dbOf(env.SHARD_1)): Promise<string[]> {
  // Every shard has the same schema and indexes: the plan is the same on each.
  const rows = await db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`);
  return rows.map((r) => r.detail);
}

/**
 * A scan of a whole stored table or of a whole index ("SCAN p USING INDEX ...").
 * Scans of json_each (a bound list) and of a constant row are fine.
 */
const FULL_SCAN = /^SCAN (persons|events|person_distinct_ids|person_merges|ingestion_warnings|projects|p|e|m|d|w)\b/;

const person = crypto.randomUUID();
const cursor = { timestamp: at(5), uuid: crypto.randomUUID() };

const queries: [string, SQL, RegExp[]][] = [
  [
    'persons: list',
    personListSql(1, {}, 101, 0),
    [/SEARCH p USING (COVERING )?INDEX persons_project_created_idx \(project_id=\?\)/],
  ],
  [
    'persons: list by distinct_id',
    personListSql(1, { distinctId: 'user-1' }, 101, 0),
    [
      /SEARCH p USING INDEX sqlite_autoindex_persons_1 \(id=\?\)/,
      /SEARCH d USING INDEX sqlite_autoindex_person_distinct_ids_1 \(project_id=\? AND distinct_id=\?\)/,
    ],
  ],
  [
    'persons: list with search',
    personListSql(1, { search: 'jane' }, 101, 0),
    [
      /SEARCH p USING INDEX persons_project_created_idx \(project_id=\?\)/,
      /person_distinct_ids_person_idx \(person_id=\?\)/,
    ],
  ],
  [
    'persons: list with properties',
    personListSql(
      1,
      {
        properties: [
          { key: 'plan', operator: 'exact', value: 'pro' },
          { key: 'age', operator: 'gt', value: 3 },
        ],
      },
      101,
      0,
    ),
    [/SEARCH p USING INDEX persons_project_created_idx \(project_id=\?\)/],
  ],
  ['persons: get', personByIdSql(1, person), [/SEARCH p USING INDEX sqlite_autoindex_persons_1 \(id=\?\)/]],
  [
    'persons: distinct ids of a page',
    distinctIdsOfPersonsSql(1, [person, crypto.randomUUID()]),
    [/SEARCH person_distinct_ids USING INDEX person_distinct_ids_person_idx \(person_id=\?\)/],
  ],
  [
    'persons: history',
    personHistorySql(1, person),
    [
      /person_merges_target_idx \(project_id=\? AND target_person_id=\?\)/,
      /person_merges_source_idx \(project_id=\? AND source_person_id=\?\)/,
    ],
  ],
  ['events: list', eventListSql(1, {}, 101), [/SEARCH e USING INDEX events_project_timestamp_idx \(project_id=\?\)/]],
  [
    'events: next page (cursor)',
    eventListSql(1, { cursor }, 101),
    [/SEARCH e USING INDEX events_project_timestamp_idx \(project_id=\? AND timestamp<\?\)/],
  ],
  [
    'events: by person_id',
    eventListSql(1, { personId: person }, 101),
    [
      /SEARCH e USING INDEX events_project_distinct_timestamp_idx \(project_id=\? AND distinct_id=\?\)/,
      /person_distinct_ids_person_idx \(person_id=\?\)/,
    ],
  ],
  [
    'events: by person_id, next page',
    eventListSql(1, { personId: person, cursor }, 101),
    [
      /SEARCH e USING INDEX events_project_distinct_timestamp_idx \(project_id=\? AND distinct_id=\? AND timestamp<\?\)/,
    ],
  ],
  [
    'events: by distinct_id',
    eventListSql(1, { distinctId: 'user-1' }, 101),
    [/SEARCH e USING INDEX events_project_distinct_timestamp_idx \(project_id=\? AND distinct_id=\?\)/],
  ],
  [
    'events: by event and time range',
    eventListSql(1, { event: '$pageview', after: at(0), before: at(9) }, 101),
    [
      /SEARCH e USING INDEX events_project_event_timestamp_idx \(project_id=\? AND event=\? AND timestamp>\? AND timestamp<\?\)/,
    ],
  ],
  [
    'warnings: list',
    warningListSql(1, {}, 101),
    [/SEARCH w USING INDEX ingestion_warnings_project_timestamp_idx \(project_id=\?\)/],
  ],
  [
    'warnings: by type',
    warningListSql(1, { type: 'cannot_merge_already_identified' }, 101),
    [/SEARCH w USING INDEX ingestion_warnings_project_type_timestamp_idx \(project_id=\? AND type=\?\)/],
  ],
];

describe('query plans of the REST reads', () => {
  it('has data in the tables, so the plans are not trivially empty-table plans', async () => {
    const { id: projectId } = await newProject();
    for (let i = 0; i < 20; i++) await seedPerson(projectId, { distinctIds: [`plan-${i}`], createdAt: at(i) });
    await seedEvents(
      projectId,
      Array.from({ length: 50 }, (_, i) => ({ distinctId: `plan-${i % 20}`, timestamp: at(i) })),
    );
    const count = await (await dbFor(projectId)).get<{ n: number }>(
      sql`SELECT count(*) AS n FROM persons WHERE project_id = ${projectId}`,
    );
    expect(count?.n).toBe(20);
  });

  for (const [name, query, expected] of queries) {
    it(`${name}: searches an index, never scans a table`, async () => {
      const plan = await planOf(query);
      console.log(`\n### ${name}\n${plan.map((line) => `    ${line}`).join('\n')}`);
      expect(plan.length).toBeGreaterThan(0);
      for (const line of plan) expect(line, plan.join('\n')).not.toMatch(FULL_SCAN);
      for (const pattern of expected) expect(plan.join('\n')).toMatch(pattern);
    });
  }

  it('the full-scan check recognises a full scan', async () => {
    const plan = await planOf(sql`SELECT * FROM persons p WHERE json_extract(p.properties, '$.plan') = 'pro'`);
    expect(plan.some((line) => FULL_SCAN.test(line))).toBe(true);
  });
});

/**
 * The query endpoint (src/query/): the statements each kind runs, captured
 * while they run on real D1, then explained. Every one searches the events by
 * (project, event, time) or (project, time) and finds each event's person by
 * the primary key of person_distinct_ids.
 */
describe('query plans of the query endpoint', () => {
  const statements: SQL[] = [];
  // The project's shard, with every statement it runs recorded.
  const recordingOf = (db: Awaited<ReturnType<typeof dbFor>>) =>
    new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'all') {
          return (query: SQL) => {
            statements.push(query);
            return target.all(query);
          };
        }
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
  const range = { date_from: '2024-01-01', date_to: '2024-01-30' };
  // One slice (src/query/slices.ts): a bounded range of index keys, sought on the index, never the whole range.
  const sliceOf = (alias: string, index: 'event' | 'all') =>
    index === 'event'
      ? new RegExp(
          `SEARCH ${alias} USING COVERING INDEX events_project_event_timestamp_idx \\(project_id=\\? AND event=\\? AND ` +
            '\\(timestamp,distinct_id,person_id_at_ingest\\)>\\(\\?,\\?,\\?\\) AND ' +
            '\\(timestamp,distinct_id,person_id_at_ingest\\)<\\(\\?,\\?,\\?\\)\\)',
        )
      : new RegExp(
          `SEARCH ${alias} USING COVERING INDEX events_project_timestamp_idx \\(project_id=\\? AND ` +
            '\\(timestamp,event,distinct_id,person_id_at_ingest\\)>\\(\\?,\\?,\\?,\\?\\) AND ' +
            '\\(timestamp,event,distinct_id,person_id_at_ingest\\)<\\(\\?,\\?,\\?,\\?\\)\\)',
        );
  // Tiny slices (statementRows 4): many statements, each a bounded seek; rows read by rowid lists.
  const tiny = { ...QUERY_BUDGET, statementRows: 4, countedRows: 8 };
  // An index walked by its fixed columns alone would read the whole project (or event): never.
  const UNBOUNDED = /USING (COVERING )?INDEX events_project_(event_)?timestamp_idx \(project_id=\?( AND event=\?)?\)$/;
  const kinds: [string, unknown, RegExp[], QueryLimits?][] = [
    [
      'trends: daily dau, breakdown by an event property',
      {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }],
        dateRange: range,
        breakdownFilter: { breakdown: '$browser' },
      },
      // The slice's end found on the index; its rowids from the covering index, then the rows in rowid order;
      // persons looked up after grouping.
      [
        sliceOf('e', 'event'),
        sliceOf('s', 'event'),
        /SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)/,
        /SCAN s\n.*SEARCH m USING INDEX sqlite_autoindex_person_distinct_ids_1 \(project_id=\? AND distinct_id=\?\) LEFT-JOIN/,
      ],
    ],
    [
      'trends: weekly total of all events, person filter (Europe/Berlin)',
      {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: null }],
        interval: 'week',
        dateRange: range,
        properties: [{ key: 'plan', value: 'pro', type: 'person' }],
      },
      [sliceOf('e', 'all'), /SEARCH p USING INDEX sqlite_autoindex_persons_1 \(id=\?\)/],
    ],
    [
      'funnel: 3 ordered steps',
      {
        kind: 'FunnelsQuery',
        series: [
          { kind: 'EventsNode', event: '$pageview' },
          { kind: 'EventsNode', event: 'signup' },
          { kind: 'EventsNode', event: 'purchase' },
        ],
        dateRange: range,
      },
      [sliceOf('e', 'event'), /SEARCH m USING INDEX sqlite_autoindex_person_distinct_ids_1/],
    ],
    [
      'retention: 8 weeks, signup then any event',
      {
        kind: 'RetentionQuery',
        dateRange: { date_to: '2024-01-30' },
        retentionFilter: {
          period: 'Week',
          totalIntervals: 8,
          targetEntity: { id: 'signup', type: 'events' },
          returningEntity: { id: null, type: 'events' },
        },
      },
      [sliceOf('e', 'all'), /SEARCH m USING INDEX sqlite_autoindex_person_distinct_ids_1/],
    ],
    [
      'retention: first time',
      {
        kind: 'RetentionQuery',
        dateRange: { date_to: '2024-01-30' },
        retentionFilter: {
          period: 'Day',
          retentionType: 'retention_first_time',
          targetEntity: { id: 'signup', type: 'events' },
        },
      },
      [sliceOf('e', 'event')],
    ],
    [
      'HogQL: daily unique persons (the dau plan)',
      {
        kind: 'HogQLQuery',
        query:
          "SELECT toStartOfDay(timestamp) AS day, count(DISTINCT person_id) FROM events WHERE event = '$pageview' " +
          "AND timestamp >= '2024-01-01' AND timestamp < '2024-01-31' GROUP BY day ORDER BY day",
      },
      // As the dau trend: grouped by distinct id first (CO-ROUTINE s), then one person lookup per group.
      [
        /SEARCH e USING COVERING INDEX events_project_event_timestamp_idx \(project_id=\? AND event=\? AND timestamp>\? AND timestamp<\?\)/,
        /SCAN s\n.*SEARCH m USING INDEX sqlite_autoindex_person_distinct_ids_1 \(project_id=\? AND distinct_id=\?\) LEFT-JOIN/,
      ],
    ],
    [
      'trends in tiny slices: daily dau by an event property',
      {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: '$pageview', math: 'dau' }],
        dateRange: range,
        breakdownFilter: { breakdown: '$browser' },
      },
      // The marks walk the index; the rowids come from it in slices; the rows are read by rowid lists.
      [
        /SEARCH e USING COVERING INDEX events_project_event_timestamp_idx \(project_id=\? AND event=\? AND \(timestamp,distinct_id,person_id_at_ingest\)>\(\?,\?,\?\)/,
        /SEARCH e USING INTEGER PRIMARY KEY \(rowid=\?\)\n.*LIST SUBQUERY 1\n.*SCAN json_each/,
      ],
      tiny,
    ],
    [
      'funnel in tiny slices',
      {
        kind: 'FunnelsQuery',
        series: [
          { kind: 'EventsNode', event: '$pageview' },
          { kind: 'EventsNode', event: 'signup' },
        ],
        dateRange: range,
      },
      [sliceOf('e', 'event')],
      tiny,
    ],
    [
      'events query: newest $pageview events',
      { kind: 'EventsQuery', select: ['*'], event: '$pageview', after: '2024-01-01', limit: 100 },
      [/SEARCH e USING INDEX events_project_event_timestamp_idx \(project_id=\? AND event=\? AND timestamp>\?\)/],
    ],
  ];

  for (const [name, query, expected, limits] of kinds) {
    it(`${name}: searches indexes, never scans a table`, async () => {
      const { id: projectId } = await newProject();
      await seedEvents(
        projectId,
        Array.from({ length: 30 }, (_, i) => ({
          distinctId: `plan-${i % 7}`,
          timestamp: at(i * 600),
          event: i % 3 ? '$pageview' : 'signup',
        })),
      );
      statements.length = 0;
      const timezone = name.includes('Berlin') ? 'Europe/Berlin' : 'UTC';
      const db = await dbFor(projectId);
      await runQuery(
        { db: recordingOf(db), projectId, timezone, now: Date.parse('2024-01-31T00:00:00Z') },
        AnyQuery.parse(query),
        limits,
      );
      expect(statements.length).toBeGreaterThan(limits ? 10 : 0);
      const plans = await Promise.all(statements.map((s) => planOf(s, db)));
      const printed = plans
        .map((p, i) => `  -- statement ${i + 1}\n${p.map((line) => `    ${line}`).join('\n')}`)
        .join('\n');
      console.log(`\n### ${name}\n${printed}`);
      for (const line of plans.flat()) expect(line, printed).not.toMatch(FULL_SCAN);
      for (const line of plans.flat()) expect(line, printed).not.toMatch(UNBOUNDED);
      for (const pattern of expected) expect(plans.flat().join('\n')).toMatch(pattern);
    });
  }
});
