import { sql } from 'drizzle-orm';
import { propertyWritesColumn } from './property-writes-column';
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const nowIso = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const projects = sqliteTable('projects', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  apiToken: text('api_token').notNull().unique(),
  createdAt: text('created_at').notNull().default(nowIso),
  /** IANA name; day/week/month buckets of answers and cookieless salts follow it. */
  timezone: text('timezone').notNull().default('UTC'),
  /** Drop `$ip` and derive no geo from it. */
  anonymizeIps: integer('anonymize_ips', { mode: 'boolean' }).notNull().default(false),
  /** Events whose timestamp is older than this are dropped with `event_dropped_too_old`; null keeps all. */
  dropEventsOlderThanSeconds: integer('drop_events_older_than_seconds'),
  cookielessServerHashMode: text('cookieless_server_hash_mode', { enum: ['disabled', 'stateless', 'stateful'] })
    .notNull()
    .default('stateless'),
  /** Events older than this many days are archived (when R2 is bound) and deleted; null keeps everything. */
  eventRetentionDays: integer('event_retention_days'),
  /** Index of the D1 shard (binding SHARD_<n>) holding the project's data; fixed at creation. */
  shard: integer('shard').notNull().default(0),
});

export const persons = sqliteTable(
  'persons',
  {
    id: text('id').primaryKey(),
    projectId: integer('project_id').notNull(),
    properties: text('properties', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    isIdentified: integer('is_identified', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
    version: integer('version').notNull().default(0),
    /**
     * Per property key, the (corrected) timestamp and kind of the write that
     * last decided it, tombstones of `$unset` included: what makes updates
     * independent of arrival order (src/identity/property-writes.ts). Kept
     * outside `properties` and outside its size limit.
     */
    propertyWrites: propertyWritesColumn('property_writes').notNull().default(sql`'{}'`),
  },
  (t) => [index('persons_project_created_idx').on(t.projectId, t.createdAt, t.id)],
);

export const personDistinctIds = sqliteTable(
  'person_distinct_ids',
  {
    projectId: integer('project_id').notNull(),
    distinctId: text('distinct_id').notNull(),
    personId: text('person_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.distinctId] }), index('person_distinct_ids_person_idx').on(t.personId)],
);

/** History of what shaped a person: merges (identify, alias, merge_dangerously) and splits. */
export const personMerges = sqliteTable(
  'person_merges',
  {
    id: text('id').primaryKey(),
    projectId: integer('project_id').notNull(),
    sourcePersonId: text('source_person_id').notNull(),
    targetPersonId: text('target_person_id').notNull(),
    kind: text('kind').notNull(),
    eventUuid: text('event_uuid'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
    at: text('at').notNull(),
  },
  (t) => [
    index('person_merges_target_idx').on(t.projectId, t.targetPersonId, t.at),
    index('person_merges_source_idx').on(t.projectId, t.sourcePersonId, t.at),
  ],
);

export const events = sqliteTable(
  'events',
  {
    projectId: integer('project_id').notNull(),
    uuid: text('uuid').notNull(),
    event: text('event').notNull(),
    distinctId: text('distinct_id').notNull(),
    personIdAtIngest: text('person_id_at_ingest').notNull(),
    properties: text('properties', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    timestamp: text('timestamp').notNull(),
    /** The event's group key of each mapped group type (`$group_0` … `$group_4`, also in properties). */
    group0: text('group_0'),
    group1: text('group_1'),
    group2: text('group_2'),
    group3: text('group_3'),
    group4: text('group_4'),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.uuid] }),
    // Covering for the query endpoint: trends, funnels and retention without
    // property filters read who did what when from these indexes alone.
    index('events_project_timestamp_idx').on(t.projectId, t.timestamp, t.event, t.distinctId, t.personIdAtIngest),
    index('events_project_distinct_timestamp_idx').on(t.projectId, t.distinctId, t.timestamp),
    index('events_project_event_timestamp_idx').on(t.projectId, t.event, t.timestamp, t.distinctId, t.personIdAtIngest),
    // A group's events; partial, so events without groups cost nothing.
    ...([t.group0, t.group1, t.group2, t.group3, t.group4] as const).map((column, i) =>
      index(`events_project_group${i}_timestamp_idx`)
        .on(t.projectId, column, t.timestamp)
        .where(sql`${column} IS NOT NULL`),
    ),
  ],
);

export const ingestionWarnings = sqliteTable(
  'ingestion_warnings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull(),
    type: text('type').notNull(),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    eventUuid: text('event_uuid'),
    timestamp: text('timestamp').notNull(),
  },
  (t) => [
    index('ingestion_warnings_project_timestamp_idx').on(t.projectId, t.timestamp),
    index('ingestion_warnings_project_type_timestamp_idx').on(t.projectId, t.type, t.timestamp),
    // A retried event must not raise the same warning twice.
    uniqueIndex('ingestion_warnings_event_type_unique').on(t.projectId, t.eventUuid, t.type),
  ],
);

/**
 * Never holds a row. A person write batch starts with
 * `INSERT INTO write_guards (ok) SELECT 0 WHERE NOT EXISTS (<expected state>)`:
 * when the expected state (a person's version, a distinct id's owner) no longer
 * holds, the CHECK fails and D1 rolls the whole batch back, so a stale write is
 * all-or-nothing without guarding every later statement.
 */
export const writeGuards = sqliteTable('write_guards', { ok: integer('ok').notNull() }, (t) => [
  check('write_guard_failed', sql`${t.ok} = 1`),
]);

/**
 * Events too large to travel inside a queue message (over ~100 KB, up to the
 * 1 MB PostHog allows) wait here; the message carries only their uuid. The
 * consumer deletes a row once its event is stored.
 */
export const stagedEvents = sqliteTable(
  'staged_events',
  {
    projectId: integer('project_id').notNull(),
    uuid: text('uuid').notNull(),
    body: text('body', { mode: 'json' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.uuid] })],
);

/**
 * Cookieless tracking (src/cookieless/): one random 16-byte salt per project
 * and calendar day (project timezone). Deleted at `expires_at` (end of the day
 * plus the grace period), after which that day's ids cannot be recomputed.
 */
export const cookielessSalts = sqliteTable(
  'cookieless_salts',
  {
    projectId: integer('project_id').notNull(),
    /** YYYY-MM-DD in the project's timezone. */
    day: text('day').notNull(),
    /** 16 bytes, base64. */
    salt: text('salt').notNull(),
    /** Epoch ms. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.day] }), index('cookieless_salts_expires_idx').on(t.expiresAt)],
);

/**
 * Stateful cookieless mode: the `$identify` events seen per visitor hash, in
 * arrival order (`id`), so a visitor who logs in gets a new hash counter and two
 * people behind one IP and browser stay apart. Expires with the day's salt.
 */
export const cookielessIdentifies = sqliteTable(
  'cookieless_identifies',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id').notNull(),
    /** Base64 of the visitor's base hash (salted, meaningless once the salt is deleted). */
    visitorKey: text('visitor_key').notNull(),
    eventUuid: text('event_uuid').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    uniqueIndex('cookieless_identifies_visitor_event_unique').on(t.projectId, t.visitorKey, t.eventUuid),
    index('cookieless_identifies_expires_idx').on(t.expiresAt),
  ],
);

/** Stateful cookieless mode: the current session of a visitor hash; a new one after 30 minutes idle. */
export const cookielessSessions = sqliteTable(
  'cookieless_sessions',
  {
    projectId: integer('project_id').notNull(),
    /** Base64 of the visitor's hash with its identify counter. */
    sessionKey: text('session_key').notNull(),
    sessionId: text('session_id').notNull(),
    /** Epoch ms of the latest event of the session. */
    lastActivity: integer('last_activity').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.sessionKey] }),
    index('cookieless_sessions_expires_idx').on(t.expiresAt),
  ],
);

/**
 * A project's group types ("company", "team"), each on one of five indexes in
 * order of first appearance, as PostHog's `posthog_grouptypemapping`. An index
 * is never reassigned, so ingestion caches the mapping.
 */
export const groupTypeMapping = sqliteTable(
  'group_type_mapping',
  {
    projectId: integer('project_id').notNull(),
    groupType: text('group_type').notNull(),
    groupTypeIndex: integer('group_type_index').notNull(),
    nameSingular: text('name_singular'),
    namePlural: text('name_plural'),
    createdAt: text('created_at').notNull().default(nowIso),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.groupType] }),
    uniqueIndex('group_type_mapping_project_index_unique').on(t.projectId, t.groupTypeIndex),
    check('group_type_index_range', sql`${t.groupTypeIndex} BETWEEN 0 AND 4`),
  ],
);

/** A group (one company, one team) and its properties, from `$groupidentify`. */
export const groups = sqliteTable(
  'groups',
  {
    projectId: integer('project_id').notNull(),
    groupTypeIndex: integer('group_type_index').notNull(),
    groupKey: text('group_key').notNull(),
    properties: text('properties', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: text('created_at').notNull(),
    /** Every property write is guarded on the version read and steps it. */
    version: integer('version').notNull().default(1),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.groupTypeIndex, t.groupKey] }),
    index('groups_project_type_created_idx').on(t.projectId, t.groupTypeIndex, t.createdAt, t.groupKey),
  ],
);
export * from './dashboard-schema';
export * from './session-schema';
export * from './journal-schema';
export * from './definitions-schema';
