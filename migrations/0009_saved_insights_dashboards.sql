CREATE TABLE `dashboard_tiles` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`dashboard_id` integer NOT NULL,
	`insight_id` integer,
	`text_body` text,
	`text_last_modified_at` text,
	`layouts` text DEFAULT '{}' NOT NULL,
	`color` text,
	`deleted` integer DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dashboard_tiles_dashboard_idx` ON `dashboard_tiles` (`project_id`,`dashboard_id`,`deleted`);--> statement-breakpoint
CREATE INDEX `dashboard_tiles_insight_idx` ON `dashboard_tiles` (`project_id`,`insight_id`);--> statement-breakpoint
CREATE TABLE `dashboards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`pinned` integer DEFAULT false NOT NULL,
	`filters` text DEFAULT '{}' NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`share_token` text,
	`share_enabled` integer DEFAULT false NOT NULL,
	`share_created_at` text,
	`share_settings` text DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dashboards_project_deleted_id_idx` ON `dashboards` (`project_id`,`deleted`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `dashboards_project_share_token_unique` ON `dashboards` (`project_id`,`share_token`);--> statement-breakpoint
CREATE TABLE `insight_results` (
	`project_id` integer NOT NULL,
	`insight_id` integer NOT NULL,
	`dashboard_id` integer NOT NULL,
	`query_hash` text NOT NULL,
	`response` text NOT NULL,
	`last_refresh` text NOT NULL,
	PRIMARY KEY(`project_id`, `insight_id`, `dashboard_id`)
);
--> statement-breakpoint
CREATE TABLE `insights` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`short_id` text NOT NULL,
	`name` text,
	`description` text DEFAULT '' NOT NULL,
	`query` text NOT NULL,
	`tags` text DEFAULT '[]' NOT NULL,
	`favorited` integer DEFAULT false NOT NULL,
	`saved` integer DEFAULT false NOT NULL,
	`deleted` integer DEFAULT false NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_modified_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `insights_project_short_id_unique` ON `insights` (`project_id`,`short_id`);--> statement-breakpoint
CREATE INDEX `insights_project_deleted_id_idx` ON `insights` (`project_id`,`deleted`,`id`);