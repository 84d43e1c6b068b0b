CREATE TABLE `write_guards` (
	`ok` integer NOT NULL,
	CONSTRAINT "write_guard_failed" CHECK("write_guards"."ok" = 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ingestion_warnings_event_type_unique` ON `ingestion_warnings` (`project_id`,`event_uuid`,`type`);