/**
 * The persons room, as ingestion enters it: read the state a batch starts from
 * (`readIngestState`), then run each group's person steps through `PersonCalls`
 * on one of the two executors: `PlannedSteps` (the uncontended fast path, one
 * atomic D1 batch for many groups) or `personObjects` (each person's Durable
 * Object, person-do.ts).
 */
export { personLessEventRowOf } from './event-rows';
export { readIngestState, type IngestState } from './ingest-state';
export { PersonCalls, personObjects } from './person-calls';
export { NotPlannable, PlannedSteps } from './planned-steps';
