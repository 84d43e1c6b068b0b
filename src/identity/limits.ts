import type { Warning } from './types';

/** A person's properties may not grow past this much JSON; the update is refused instead. */
export const MAX_PERSON_PROPERTIES_BYTES = 512 * 1024;

const encoder = new TextEncoder();

export function propertiesSizeOf(properties: Record<string, unknown>): number {
  return utf8Bytes(JSON.stringify(properties));
}

/** Whether the properties' JSON is within `limit` bytes. */
export const propertiesWithin = (properties: Record<string, unknown>, limit: number): boolean =>
  utf8Within(JSON.stringify(properties), limit);

/** Whether `text` is at most `limit` bytes of UTF-8; most texts are far below it, and then nothing is encoded. */
export function utf8Within(text: string, limit: number): boolean {
  // A UTF-16 code unit is at most 3 bytes of UTF-8.
  return text.length * 3 <= limit || utf8Bytes(text) <= limit;
}

const utf8Bytes = (text: string) => encoder.encode(text).byteLength;

export function personPropertiesSizeViolation(
  personId: string,
  distinctId: string,
  eventUuid: string,
  size: number,
): Warning {
  return {
    type: 'person_properties_size_violation',
    details: { personId, distinctId, eventUuid, size, limit: MAX_PERSON_PROPERTIES_BYTES },
  };
}
