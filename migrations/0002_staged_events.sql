CREATE TABLE `staged_events` (
	`project_id` integer NOT NULL,
	`uuid` text NOT NULL,
	`body` text NOT NULL,
	PRIMARY KEY(`project_id`, `uuid`)
);
