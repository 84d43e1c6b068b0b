import type { Warning } from './types';

/** A person's properties may not grow past this much JSON; the update is refused instead. */
export const MAX_PERSON_PROPERTIES_BYTES = 512 * 1024;

const encoder = new TextEncoder();

export function propertiesSizeOf(properties: Record<string, unknown>): number {
  return encoder.encode(JSON.stringify(properties)).byteLength;
}

export function personPropertiesSizeViolation(personId: string, distinctId: string, eventUuid: string, size: number): Warning {
  return {
    type: 'person_properties_size_violation',
    details: { personId, distinctId, eventUuid, size, limit: MAX_PERSON_PROPERTIES_BYTES },
  };
}
