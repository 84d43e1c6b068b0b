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
 * Largest single event (its JSON). PostHog allows 1 MB, but one event must fit
 * in one queue message, so the queue's limit is the real one here.
 */
export const MAX_EVENT_BYTES = MAX_MESSAGE_BYTES - 200;

/** Event names and distinct ids are truncated to this many characters. */
export const MAX_NAME_CHARS = 200;
