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

/** Which kind of update last decided a property key. */
export type PropertyOperation = 'set' | 'set_once' | 'unset';

/** The write that last decided one property key: the event's corrected timestamp (ISO 8601) and its kind. */
export interface PropertyWrite {
  t: string;
  op: PropertyOperation;
}

/**
 * Per key, the write that last decided it. A key with `op: 'unset'` is a
 * tombstone (the key is absent from `properties`). A key of `properties`
 * without an entry was written before times were kept: it counts as set
 * long ago.
 */
export type PropertyWrites = Record<string, PropertyWrite>;

/** A person as the identity rules see it (the shape of its row). */
export interface Person {
  id: string;
  projectId: number;
  properties: Record<string, unknown>;
  propertyWrites: PropertyWrites;
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
