/** An event as the identity rules see it (structurally compatible with the queue's CapturedEvent). */
export interface IdentityEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  properties: Record<string, unknown>;
  /** ISO 8601. */
  timestamp: string;
  /** Top-level, as posthog-js and posthog-python send them. May be anything: validated where read. */
  $set?: unknown;
  $set_once?: unknown;
}

export type MergeKind = '$identify' | '$create_alias' | '$merge_dangerously';

/** Merge the person of `source` into the person of `target` (the event's distinct id). */
export interface MergeRequest {
  kind: MergeKind;
  source: string;
  target: string;
}

/** An ingestion warning: stored per project, never stops the event. */
export interface Warning {
  type: string;
  details: Record<string, unknown>;
}

export interface PropertyUpdates {
  set: Record<string, unknown>;
  setOnce: Record<string, unknown>;
  unset: string[];
}

/** A person as the identity rules see it (the shape of its row). */
export interface Person {
  id: string;
  projectId: number;
  properties: Record<string, unknown>;
  isIdentified: boolean;
  createdAt: string;
  version: number;
}

/** A person-processed event with the warnings it raised so far. */
export interface PersonEvent {
  event: IdentityEvent;
  warnings: Warning[];
}

/** A line of a person's history (spec §6): an identification or a merge. */
export interface HistoryLine {
  kind: 'identify' | 'merge';
  sourcePersonId: string;
  targetPersonId: string;
  eventUuid: string;
  details: Record<string, unknown>;
}
