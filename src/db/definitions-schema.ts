import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The names a project's events have used, as PostHog's `posthog_eventdefinition`:
 * one row per event name, inserted once by ingestion (src/definitions/record.ts)
 * and read by `GET /api/projects/:id/event_definitions/`.
 */
export const eventDefinitions = sqliteTable(
  'event_definitions',
  {
    projectId: integer('project_id').notNull(),
    name: text('name').notNull(),
    id: text('id').notNull(),
    createdAt: text('created_at').notNull(),
    /** The latest event timestamp seen, kept to the hour (written at most once an hour per name and isolate). */
    lastSeenAt: text('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.name] })],
);

/**
 * Property names by kind, as PostHog's `posthog_propertydefinition`: `type` 1 event,
 * 2 person, 3 group (with `group_type_index`; -1 otherwise). `property_type` is
 * detected from the first value seen that has one and then kept, as PostHog does.
 */
export const propertyDefinitions = sqliteTable(
  'property_definitions',
  {
    projectId: integer('project_id').notNull(),
    type: integer('type').notNull(),
    groupTypeIndex: integer('group_type_index').notNull(),
    name: text('name').notNull(),
    id: text('id').notNull(),
    propertyType: text('property_type', { enum: ['String', 'Numeric', 'Boolean', 'DateTime'] }),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.type, t.groupTypeIndex, t.name] })],
);

/** Which event names carried which event properties, as PostHog's `posthog_eventproperty`. */
export const eventProperties = sqliteTable(
  'event_properties',
  {
    projectId: integer('project_id').notNull(),
    event: text('event').notNull(),
    property: text('property').notNull(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.event, t.property] })],
);
