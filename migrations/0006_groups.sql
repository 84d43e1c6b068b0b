CREATE TABLE `group_type_mapping` (
	`project_id` integer NOT NULL,
	`group_type` text NOT NULL,
	`group_type_index` integer NOT NULL,
	`name_singular` text,
	`name_plural` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`project_id`, `group_type`),
	CONSTRAINT "group_type_index_range" CHECK("group_type_mapping"."group_type_index" BETWEEN 0 AND 4)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `group_type_mapping_project_index_unique` ON `group_type_mapping` (`project_id`,`group_type_index`);--> statement-breakpoint
CREATE TABLE `groups` (
	`project_id` integer NOT NULL,
	`group_type_index` integer NOT NULL,
	`group_key` text NOT NULL,
	`properties` text NOT NULL,
	`created_at` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`project_id`, `group_type_index`, `group_key`)
);
--> statement-breakpoint
CREATE INDEX `groups_project_type_created_idx` ON `groups` (`project_id`,`group_type_index`,`created_at`,`group_key`);--> statement-breakpoint
ALTER TABLE `events` ADD `group_0` text;--> statement-breakpoint
ALTER TABLE `events` ADD `group_1` text;--> statement-breakpoint
ALTER TABLE `events` ADD `group_2` text;--> statement-breakpoint
ALTER TABLE `events` ADD `group_3` text;--> statement-breakpoint
ALTER TABLE `events` ADD `group_4` text;--> statement-breakpoint
CREATE INDEX `events_project_group0_timestamp_idx` ON `events` (`project_id`,`group_0`,`timestamp`) WHERE "events"."group_0" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_project_group1_timestamp_idx` ON `events` (`project_id`,`group_1`,`timestamp`) WHERE "events"."group_1" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_project_group2_timestamp_idx` ON `events` (`project_id`,`group_2`,`timestamp`) WHERE "events"."group_2" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_project_group3_timestamp_idx` ON `events` (`project_id`,`group_3`,`timestamp`) WHERE "events"."group_3" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `events_project_group4_timestamp_idx` ON `events` (`project_id`,`group_4`,`timestamp`) WHERE "events"."group_4" IS NOT NULL;