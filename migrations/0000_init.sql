CREATE TABLE `events` (
	`project_id` integer NOT NULL,
	`uuid` text NOT NULL,
	`event` text NOT NULL,
	`distinct_id` text NOT NULL,
	`person_id_at_ingest` text NOT NULL,
	`properties` text NOT NULL,
	`timestamp` text NOT NULL,
	PRIMARY KEY(`project_id`, `uuid`)
);
--> statement-breakpoint
CREATE INDEX `events_project_timestamp_idx` ON `events` (`project_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_project_distinct_timestamp_idx` ON `events` (`project_id`,`distinct_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `events_project_event_timestamp_idx` ON `events` (`project_id`,`event`,`timestamp`);--> statement-breakpoint
CREATE TABLE `ingestion_warnings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`type` text NOT NULL,
	`details` text NOT NULL,
	`event_uuid` text,
	`timestamp` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ingestion_warnings_project_timestamp_idx` ON `ingestion_warnings` (`project_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `ingestion_warnings_project_type_timestamp_idx` ON `ingestion_warnings` (`project_id`,`type`,`timestamp`);--> statement-breakpoint
CREATE TABLE `person_distinct_ids` (
	`project_id` integer NOT NULL,
	`distinct_id` text NOT NULL,
	`person_id` text NOT NULL,
	PRIMARY KEY(`project_id`, `distinct_id`)
);
--> statement-breakpoint
CREATE INDEX `person_distinct_ids_person_idx` ON `person_distinct_ids` (`person_id`);--> statement-breakpoint
CREATE TABLE `person_merges` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`source_person_id` text NOT NULL,
	`target_person_id` text NOT NULL,
	`kind` text NOT NULL,
	`event_uuid` text,
	`details` text,
	`at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `person_merges_target_idx` ON `person_merges` (`project_id`,`target_person_id`,`at`);--> statement-breakpoint
CREATE INDEX `person_merges_source_idx` ON `person_merges` (`project_id`,`source_person_id`,`at`);--> statement-breakpoint
CREATE TABLE `persons` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`properties` text NOT NULL,
	`is_identified` integer DEFAULT false NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `persons_project_created_idx` ON `persons` (`project_id`,`created_at`,`id`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`api_token` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_api_token_unique` ON `projects` (`api_token`);