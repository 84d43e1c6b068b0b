import { expect } from 'vitest';
import type { CapturedEvent } from '../../src/queue/message';
import { ev, personsOf, warningsOf, type PersonView } from '../support';

const USERS = 24;
const ANON_PER_USER = 4;

export interface Scenario {
  events: CapturedEvent[];
  /** Distinct ids that must end on one person together. */
  expectedGroups: string[][];
  /** Every property key set by an event, by the group it must end on. */
  keysByGroup: Map<number, string[]>;
}

/**
 * Users with anonymous ids, identifies, aliases, `$set`s with unique keys and
 * pairwise `$merge_dangerously`: every serial order of these events gives the
 * same persons (one per user pair) with every key present.
 */
export function scenario(): Scenario {
  const events: CapturedEvent[] = [];
  const keysByGroup = new Map<number, string[]>();
  const expectedGroups: string[][] = [];
  const setWithKey = (group: number, e: CapturedEvent, where: 'properties' | 'top') => {
    const key = `k_${e.uuid.slice(0, 8)}`;
    if (where === 'top') e.$set = { [key]: e.uuid };
    else e.properties.$set = { [key]: e.uuid };
    keysByGroup.set(group, [...(keysByGroup.get(group) ?? []), key]);
    return e;
  };
  for (let u = 0; u < USERS; u++) {
    const group = Math.floor(u / 2);
    const user = `user-${u}`;
    const anons = Array.from({ length: ANON_PER_USER }, (_, j) => `anon-${u}-${j}`);
    const ids = [user, `alias-${u}`, ...anons];
    for (const anon of anons) {
      events.push(setWithKey(group, ev('$pageview', anon), 'properties'));
      events.push(setWithKey(group, ev('$autocapture', anon), 'top'));
      events.push(ev('$pageview', anon, { $process_person_profile: false }));
      events.push(setWithKey(group, ev('$identify', user, { $anon_distinct_id: anon }), 'top'));
    }
    events.push(ev('$create_alias', user, { alias: `alias-${u}` }));
    for (let k = 0; k < 3; k++) events.push(setWithKey(group, ev('$set', user), 'properties'));
    if (u % 2 === 1) {
      events.push(ev('$merge_dangerously', `user-${u - 1}`, { alias: user }));
      expectedGroups[group] = [...expectedGroups[group]!, ...ids].sort();
    } else {
      expectedGroups[group] = ids;
    }
  }
  return { events, expectedGroups, keysByGroup };
}

/**
 * The final graph every serial order gives: the expected groups, every key, all identified, no
 * orphans, no warnings.
 */
export async function expectScenarioOutcome(
  projectId: number,
  expectedGroups: string[][],
  keysByGroup: Map<number, string[]>,
): Promise<PersonView[]> {
  const all = await personsOf(projectId);
  const orphans = all.filter((x) => x.distinctIds.length === 0);
  expect(orphans, 'persons without distinct ids').toEqual([]);
  expect(all.map((x) => x.distinctIds.join(',')).sort()).toEqual(
    expectedGroups.map((g) => [...g].sort().join(',')).sort(),
  );
  for (const [group, keys] of keysByGroup) {
    const person = all.find((x) => x.distinctIds.includes(expectedGroups[group]![0]!))!;
    const missing = keys.filter((k) => !(k in person.properties));
    expect(missing, `property updates lost on group ${group}`).toEqual([]);
    expect(person.isIdentified).toBe(true);
  }
  expect(await warningsOf(projectId)).toEqual([]);
  return all;
}
