CREATE TABLE `event_definitions` (
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`id` text NOT NULL,
	`created_at` text NOT NULL,
	`last_seen_at` text NOT NULL,
	PRIMARY KEY(`project_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `event_properties` (
	`project_id` integer NOT NULL,
	`event` text NOT NULL,
	`property` text NOT NULL,
	PRIMARY KEY(`project_id`, `event`, `property`)
);
--> statement-breakpoint
CREATE TABLE `property_definitions` (
	`project_id` integer NOT NULL,
	`type` integer NOT NULL,
	`group_type_index` integer NOT NULL,
	`name` text NOT NULL,
	`id` text NOT NULL,
	`property_type` text,
	PRIMARY KEY(`project_id`, `type`, `group_type_index`, `name`)
);
