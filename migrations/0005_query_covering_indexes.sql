DROP INDEX `events_project_timestamp_idx`;--> statement-breakpoint
DROP INDEX `events_project_event_timestamp_idx`;--> statement-breakpoint
CREATE INDEX `events_project_timestamp_idx` ON `events` (`project_id`,`timestamp`,`event`,`distinct_id`,`person_id_at_ingest`);--> statement-breakpoint
CREATE INDEX `events_project_event_timestamp_idx` ON `events` (`project_id`,`event`,`timestamp`,`distinct_id`,`person_id_at_ingest`);