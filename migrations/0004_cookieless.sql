CREATE TABLE `cookieless_identifies` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`visitor_key` text NOT NULL,
	`event_uuid` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cookieless_identifies_visitor_event_unique` ON `cookieless_identifies` (`project_id`,`visitor_key`,`event_uuid`);--> statement-breakpoint
CREATE INDEX `cookieless_identifies_expires_idx` ON `cookieless_identifies` (`expires_at`);--> statement-breakpoint
CREATE TABLE `cookieless_salts` (
	`project_id` integer NOT NULL,
	`day` text NOT NULL,
	`salt` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `day`)
);
--> statement-breakpoint
CREATE INDEX `cookieless_salts_expires_idx` ON `cookieless_salts` (`expires_at`);--> statement-breakpoint
CREATE TABLE `cookieless_sessions` (
	`project_id` integer NOT NULL,
	`session_key` text NOT NULL,
	`session_id` text NOT NULL,
	`last_activity` integer NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`project_id`, `session_key`)
);
--> statement-breakpoint
CREATE INDEX `cookieless_sessions_expires_idx` ON `cookieless_sessions` (`expires_at`);