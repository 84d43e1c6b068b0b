ALTER TABLE `projects` ADD `timezone` text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `anonymize_ips` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `drop_events_older_than_seconds` integer;--> statement-breakpoint
ALTER TABLE `projects` ADD `cookieless_server_hash_mode` text DEFAULT 'stateless' NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `event_retention_days` integer;