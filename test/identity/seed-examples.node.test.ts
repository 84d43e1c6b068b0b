/**
 * The two examples of seeds/ "How are properties managed when merging users?" and
 * "... when identifying anonymous users?", run through the identity rules step by step.
 */
import { describe, expect, it } from 'vitest';
import {
  applyPropertyUpdates,
  isMergeAllowed,
  mergeCaseOf,
  mergeProperties,
  mergeRequestOf,
  newPersonProperties,
  precheckMerge,
  propertyUpdatesOf,
} from '../../src/identity';
import { eventOf } from '../support/events';

describe('seed: User B merged into User A with $merge_dangerously', () => {
  it('keeps User A on conflicts and adds User B’s other properties', () => {
    const userA = { id: 'person-A', isIdentified: true, properties: { name: 'User A', location: 'London' } };
    const userB = {
      id: 'person-B',
      isIdentified: true,
      properties: { name: 'User B', location: 'Rome', phone: '0800-POSTHOG' },
    };
    const event = eventOf({
      uuid: 'merge-event',
      event: '$merge_dangerously',
      distinct_id: 'distinct_id_of_user_A',
      properties: { alias: 'distinct_id_of_user_B' },
    });

    const req = mergeRequestOf(event);
    expect(req).toEqual({
      kind: '$merge_dangerously',
      source: 'distinct_id_of_user_B',
      target: 'distinct_id_of_user_A',
    });
    expect(precheckMerge(req!, event.uuid)).toEqual({ action: 'merge' });
    expect(mergeCaseOf(userB, userA)).toBe('merge_persons');
    expect(isMergeAllowed(req!.kind, userB.isIdentified)).toBe(true);

    const merged = applyPropertyUpdates(mergeProperties(userB.properties, userA.properties), propertyUpdatesOf(event));
    expect(merged.properties).toEqual({ name: 'User A', location: 'London', phone: '0800-POSTHOG' });
  });
});

describe('seed: anonymous user identified as User A', () => {
  it('keeps User A on conflicts, adds the anonymous properties, then applies the identify $set', () => {
    // User A exists, created earlier by an event that set its properties.
    const userACreated = eventOf({
      uuid: 'user-a-creator',
      distinct_id: 'user_A',
      properties: { $set: { name: 'User A', location: 'London', timezone: 'GMT' } },
    });
    const userA = {
      id: 'person-A',
      isIdentified: true,
      properties: newPersonProperties(propertyUpdatesOf(userACreated), userACreated.uuid),
    };

    // On a new device, before login: posthog.capture('event_name', { $set: {...} }).
    const anonCapture = eventOf({
      uuid: 'anon-capture',
      event: 'event_name',
      distinct_id: 'anon-device-2',
      properties: { $set: { name: 'Anonymous User', phone: '0800-POSTHOG' } },
    });
    const anonymous = {
      id: 'person-anon',
      isIdentified: false,
      properties: newPersonProperties(propertyUpdatesOf(anonCapture), anonCapture.uuid),
    };

    // After login: identify as user_A with { timezone: 'GMT+8' }, as an SDK sends it.
    const identify = eventOf({
      uuid: 'identify-event',
      event: '$identify',
      distinct_id: 'user_A',
      properties: { $anon_distinct_id: 'anon-device-2', $set: { timezone: 'GMT+8' }, $set_once: {} },
    });

    const req = mergeRequestOf(identify);
    expect(req).toEqual({ kind: '$identify', source: 'anon-device-2', target: 'user_A' });
    expect(precheckMerge(req!, identify.uuid)).toEqual({ action: 'merge' });
    expect(mergeCaseOf(anonymous, userA)).toBe('merge_persons');
    expect(isMergeAllowed(req!.kind, anonymous.isIdentified)).toBe(true);

    const merged = applyPropertyUpdates(
      mergeProperties(anonymous.properties, userA.properties),
      propertyUpdatesOf(identify),
    );
    expect(merged.changed).toBe(true);
    // The seed's stated result, plus User A's own bookkeeping key (the target's wins).
    expect(merged.properties).toEqual({
      name: 'User A',
      location: 'London',
      phone: '0800-POSTHOG',
      timezone: 'GMT+8',
      $creator_event_uuid: 'user-a-creator',
    });
  });
});
