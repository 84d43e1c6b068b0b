/** Size limits of capture, in bytes (or characters where said). */

/** Largest request body read (compressed or not). */
export const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** Largest payload after decompression (gzip / lz-string bomb protection). */
export const MAX_DECODED_BYTES = 20 * 1024 * 1024;

/**
 * Largest queue message we build. Cloudflare Queues refuse messages over 128 KB
 * (the local broker counts 128,000 bytes); keep a margin for framing.
 */
export const MAX_MESSAGE_BYTES = 120_000;

/** Largest `sendBatch` call: 256 KB in total and 100 messages. */
export const MAX_SEND_BATCH_BYTES = 240_000;
export const MAX_SEND_BATCH_MESSAGES = 100;

/**
 * Largest single event (its JSON): PostHog's 1 MB, less a margin so that its
 * stored row (event columns, or the staged copy) stays within D1's limit of
 * 1,000,000 bytes per row. An accepted event must always be storable.
 */
export const MAX_EVENT_BYTES = 1_000_000 - 8_000;

/**
 * Events larger than this do not travel inside a queue message: they are
 * staged in D1 and the message carries their uuid.
 */
export const MAX_INLINE_EVENT_BYTES = 100_000;

/** Event names and distinct ids are truncated to this many characters. */
export const MAX_NAME_CHARS = 200;

/** Most events one capture request may carry (posthog-node sends 100, posthog-js far fewer). */
export const MAX_EVENTS_PER_REQUEST = 10_000;

/** Deepest nesting of an event's `properties`, `$set` and `$set_once`; the object itself is level 1. */
export const MAX_PROPERTY_DEPTH = 64;

/** Longest project token worth looking up; real ones are 47 characters. */
export const MAX_TOKEN_CHARS = 200;
