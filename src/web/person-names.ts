/** How the web app names a person: by a distinct id people know, or by email or name. */
import { UUID } from '../schemas/uuid';

/** The id people know a person by: its first distinct id that is not an SDK's anonymous UUID, else its first. */
export function mainDistinctId(distinctIds: string[]): string | undefined {
  return distinctIds.find((d) => !UUID.test(d)) ?? distinctIds[0];
}

/** Email, else name, when the person has them as strings. */
export function displayName(properties: Record<string, unknown>): string | undefined {
  for (const key of ['email', 'name', '$email', 'username']) {
    const v = properties[key];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return undefined;
}
