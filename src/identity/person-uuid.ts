import { v5 as uuidv5 } from 'uuid';

const PERSON_UUID_NAMESPACE = '932979b4-65c3-4424-8467-0b66ec27bc22';

/**
 * Spec §4: the UUID a person created for `distinctId` gets, and the person id
 * person-less events of that distinct id are stored with.
 */
export function uuidFromDistinctId(projectId: number, distinctId: string): string {
  return uuidv5(`${projectId}:${distinctId}`, PERSON_UUID_NAMESPACE);
}
