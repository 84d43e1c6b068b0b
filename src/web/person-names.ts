/** How the web app names a person: by a distinct id people know, or by email or name. */
import { isIllegalDistinctId } from '../identity';
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

/** PostHog's display name of a person: email, else name, else the identified distinct id. */
export function personTitle(properties: Record<string, unknown>, distinctIds: string[], id: string): string {
  return displayName(properties) ?? mainDistinctId(distinctIds) ?? id;
}

/**
 * What kind of stand-in a person is, when it is not a user: a group's placeholder (posthog-node's groupIdentify
 * without a distinctId sends `$<type>_<key>`), or a person only under ids PostHog refuses (`undefined`, `null`, ...).
 */
export function placeholderKind(distinctIds: string[]): 'group placeholder' | 'illegal id' | null {
  if (distinctIds.length === 0) return null;
  if (distinctIds.every((d) => /^\$[^\s]+_./s.test(d))) return 'group placeholder';
  if (distinctIds.every((d) => isIllegalDistinctId(d))) return 'illegal id';
  return null;
}

/**
 * The id a person signed in as: the `distinct_id` of the latest `$identify` (else any merge) into it that it still
 * owns, else the id people know it by. What a split keeps by default.
 */
export function identifiedDistinctId(
  history: { kind: string; targetPersonId: string; details: Record<string, unknown> | null }[],
  personId: string,
  distinctIds: string[],
): string | undefined {
  const targets = history
    .filter((h) => h.targetPersonId === personId && h.details)
    .map((h) => ({ event: h.details!.event, id: h.details!.target_distinct_id }))
    .filter((t): t is { event: unknown; id: string } => typeof t.id === 'string' && distinctIds.includes(t.id));
  const identify = targets.filter((t) => t.event === '$identify').at(-1) ?? targets.at(-1);
  return identify?.id ?? mainDistinctId(distinctIds);
}
