import { v5 as uuidv5 } from 'uuid';

const PERSON_UUID_NAMESPACE = '932979b4-65c3-4424-8467-0b66ec27bc22';
const encoder = new TextEncoder();

/**
 * Spec §4: the UUID a person created for `distinctId` gets, and the person id
 * person-less events of that distinct id are stored with.
 */
export function uuidFromDistinctId(projectId: number, distinctId: string): string {
  // UTF-8 bytes via TextEncoder: a lone surrogate becomes U+FFFD instead of throwing.
  return uuidv5(encoder.encode(`${projectId}:${distinctId}`), PERSON_UUID_NAMESPACE);
}
