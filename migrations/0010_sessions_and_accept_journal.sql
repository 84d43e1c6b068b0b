CREATE TABLE `web_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `web_sessions_expires_idx` ON `web_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `accepted_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` integer NOT NULL,
	`queue` text NOT NULL,
	`body` text NOT NULL,
	`accepted_at` integer NOT NULL,
	`sends` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `accepted_messages_accepted_idx` ON `accepted_messages` (`accepted_at`);