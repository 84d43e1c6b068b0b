import { parse as parseUuid, v5 as uuidv5 } from 'uuid';

const PERSON_UUID_NAMESPACE = parseUuid('932979b4-65c3-4424-8467-0b66ec27bc22');
const encoder = new TextEncoder();

/** Recently derived ids: a batch asks for the same distinct ids over and over, and SHA-1 in JavaScript is not free. */
const MAX_REMEMBERED = 20_000;
const remembered = new Map<string, string>();

/**
 * Spec §4: the UUID a person created for `distinctId` gets, and the person id
 * person-less events of that distinct id are stored with.
 */
export function uuidFromDistinctId(projectId: number, distinctId: string): string {
  const name = `${projectId}:${distinctId}`;
  let uuid = remembered.get(name);
  if (uuid === undefined) {
    // UTF-8 bytes via TextEncoder: a lone surrogate becomes U+FFFD instead of throwing.
    uuid = uuidv5(encoder.encode(name), PERSON_UUID_NAMESPACE);
    if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
    remembered.set(name, uuid);
  }
  return uuid;
}
