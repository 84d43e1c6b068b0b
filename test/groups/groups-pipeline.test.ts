import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events, groupTypeMapping, groups } from '../../src/db/schema';
import { applyGroupUpdates } from '../../src/groups/rules';
import { capture, dbFor, ev, eventually, ingest, newProject, waitForStored, warningsOf } from '../support';

async function mappingOf(projectId: number): Promise<Map<string, number>> {
  const rows = await (await dbFor(projectId))
    .select()
    .from(groupTypeMapping)
    .where(eq(groupTypeMapping.projectId, projectId));
  return new Map(rows.map((r) => [r.groupType, r.groupTypeIndex]));
}

async function groupsOf(projectId: number) {
  return (await dbFor(projectId)).select().from(groups).where(eq(groups.projectId, projectId));
}

async function eventOf(projectId: number, uuid: string) {
  return (await dbFor(projectId))
    .select()
    .from(events)
    .where(and(eq(events.projectId, projectId), eq(events.uuid, uuid)))
    .get();
}

const identify = (
  distinctId: string,
  type: unknown,
  key: unknown,
  set?: unknown,
  extra: Record<string, unknown> = {},
) =>
  ev('$groupidentify', distinctId, {
    $group_type: type,
    $group_key: key,
    ...(set === undefined ? {} : { $group_set: set }),
    ...extra,
  });

describe('groups through the pipeline', () => {
  it('posthog-js group(): $groupidentify creates the group; later events carry $group_N everywhere', async () => {
    const p = await newProject();
    const gi = identify('u1', 'company', 'acme', { name: 'Acme', employees: 10 }, { $groups: { company: 'acme' } });
    const pv = ev('$pageview', 'u1', { $groups: { company: 'acme', team: 'core' } });
    await ingest(p, [gi, pv]);
    expect(await mappingOf(p.id)).toEqual(
      new Map([
        ['company', 0],
        ['team', 1],
      ]),
    );
    expect((await groupsOf(p.id)).map((g) => [g.groupTypeIndex, g.groupKey, g.properties, g.createdAt])).toEqual([
      [0, 'acme', { name: 'Acme', employees: 10 }, gi.timestamp],
    ]);
    const row = await eventOf(p.id, pv.uuid);
    expect(row).toMatchObject({ group0: 'acme', group1: 'core', group2: null, group3: null, group4: null });
    expect(row?.properties).toMatchObject({
      $group_0: 'acme',
      $group_1: 'core',
      $groups: { company: 'acme', team: 'core' },
    });
    expect((await eventOf(p.id, gi.uuid))?.group0).toBe('acme');
    expect(await warningsOf(p.id)).toEqual([]);
  });

  it('posthog-node groupIdentify (distinct id $company_acme) and later updates merge shallowly, in order', async () => {
    const p = await newProject();
    const updates = [
      { name: 'Acme', plan: 'free', address: { city: 'Paris' } },
      { plan: 'pro', address: { zip: '1' } },
      { seats: 5 },
    ];
    await ingest(
      p,
      updates.map((set) => identify('$company_acme', 'company', 'acme', set)),
    );
    const [group] = await groupsOf(p.id);
    expect(group?.properties).toEqual(
      applyGroupUpdates(
        {},
        updates.map((set) => ({ set, setOnce: {} })),
      ).properties,
    );
    expect(group?.properties).toEqual({ name: 'Acme', plan: 'pro', address: { zip: '1' }, seats: 5 });
    // $group_set_once only fills what is missing.
    await ingest(p, [
      identify('$company_acme', 'company', 'acme', { seats: 6 }, { $group_set_once: { name: 'Other', founded: 1999 } }),
    ]);
    expect((await groupsOf(p.id))[0]?.properties).toEqual({
      name: 'Acme',
      plan: 'pro',
      address: { zip: '1' },
      seats: 6,
      founded: 1999,
    });
  });

  it('a sixth group type gets a warning and no index; the event is stored', async () => {
    const p = await newProject();
    const first = ev('$pageview', 'u', { $groups: { a: '1', b: '2', c: '3', d: '4', e: '5' } });
    await ingest(p, [first]);
    const sixth = ev('$pageview', 'u', { $groups: { a: 'x', f: '6' } });
    const sixthIdentify = identify('u', 'g', 'key', { name: 'G' });
    await ingest(p, [sixth, sixthIdentify]);
    expect(await mappingOf(p.id)).toEqual(new Map(['a', 'b', 'c', 'd', 'e'].map((t, i) => [t, i])));
    const row = await eventOf(p.id, sixth.uuid);
    expect(row).toMatchObject({ group0: 'x', group1: null });
    expect(
      Object.keys(row!.properties)
        .filter((k) => k.startsWith('$group_'))
        .sort(),
    ).toEqual(['$group_0']);
    expect(await groupsOf(p.id)).toEqual([]);
    const warnings = await eventually('warnings', async () => {
      const w = await warningsOf(p.id);
      return w.length >= 2 && w;
    });
    expect(warnings.map((w) => [w.type, w.eventUuid, w.details]).sort()).toEqual(
      [
        ['group_type_limit_exceeded', sixth.uuid, { eventUuid: sixth.uuid, groupTypes: ['f'], limit: 5 }],
        [
          'group_type_limit_exceeded',
          sixthIdentify.uuid,
          { eventUuid: sixthIdentify.uuid, groupTypes: ['g'], limit: 5 },
        ],
      ].sort(),
    );
  });

  it('bad group types and keys get a warning, never a 5xx, and the event is kept', async () => {
    const p = await newProject();
    const bad = [
      identify('u', 'company', '', { name: 'x' }),
      identify('u', 'company', 'k'.repeat(201)),
      identify('u', { nested: true }, 'acme'),
      identify('u', 'company', null),
      ev('$pageview', 'u', { $groups: { company: '[object Object]', '': 'x', team: 'ok' } }),
      ev('$pageview', 'u', { $groups: 'acme' }),
      identify('u', 'company', 'fine', 'not an object'),
    ];
    await ingest(p, bad);
    const warnings = await eventually('warnings', async () => {
      const w = await warningsOf(p.id);
      return w.length >= bad.length && w;
    });
    expect(warnings.every((w) => w.type === 'invalid_group')).toBe(true);
    expect(new Set(warnings.map((w) => w.eventUuid))).toEqual(new Set(bad.map((e) => e.uuid)));
    // Only the valid parts took effect: the team of event 5, and group "fine" (its $group_set ignored).
    expect(await mappingOf(p.id)).toEqual(
      new Map([
        ['team', 0],
        ['company', 1],
      ]),
    );
    expect((await groupsOf(p.id)).map((g) => [g.groupKey, g.properties])).toEqual([['fine', {}]]);
    expect((await eventOf(p.id, bad[4]!.uuid))?.group0).toBe('ok');
  });

  it('a $group_set past 512 KB is refused with a warning; the group and the event are kept', async () => {
    const p = await newProject();
    const huge = identify('u', 'company', 'huge', { blob: 'x'.repeat(600_000) });
    await ingest(p, [huge]);
    const warnings = await eventually('warning', async () => {
      const w = await warningsOf(p.id);
      return w.length > 0 && w;
    });
    expect(warnings.map((w) => [w.type, w.eventUuid])).toEqual([['group_properties_size_violation', huge.uuid]]);
    expect((await groupsOf(p.id)).map((g) => [g.groupKey, g.properties])).toEqual([['huge', {}]]);
  });

  it('person-less: $groupidentify dropped with a warning; other events still get $group_N', async () => {
    const p = await newProject();
    const dropped = identify('anon', 'company', 'acme', { name: 'Acme' }, { $process_person_profile: false });
    const personLess = ev('$pageview', 'anon', { $process_person_profile: false, $groups: { company: 'acme' } });
    await capture(p.api_token, [dropped, personLess]);
    await waitForStored(p.id, [personLess.uuid]);
    const warnings = await eventually('warning', async () => {
      const w = await warningsOf(p.id);
      return w.length > 0 && w;
    });
    expect(warnings.map((w) => [w.type, w.eventUuid])).toEqual([
      ['invalid_event_when_process_person_profile_is_false', dropped.uuid],
    ]);
    expect(await eventOf(p.id, dropped.uuid)).toBeUndefined();
    expect(await groupsOf(p.id)).toEqual([]);
    expect((await eventOf(p.id, personLess.uuid))?.group0).toBe('acme');
  });

  it('a dead-lettered event still gets $group_N', async () => {
    // Person rows with "poison_group" fail to insert, so the message ends in the dead-letter queue.
    for (const shard of [env.SHARD_0, env.SHARD_1]) {
      await shard
        .prepare(
          `CREATE TRIGGER IF NOT EXISTS test_fault_poison_group BEFORE INSERT ON persons
            WHEN NEW.properties LIKE '%"poison_group":true%'
            BEGIN SELECT RAISE(ABORT, 'injected permanent fault'); END`,
        )
        .run();
    }
    const p = await newProject();
    const poisoned = ev('$pageview', 'poisoned', { $set: { poison_group: true }, $groups: { company: 'acme' } });
    await capture(p.api_token, [poisoned]);
    await eventually('the dead-lettered event', async () => (await eventOf(p.id, poisoned.uuid)) !== undefined, {
      timeout: 40_000,
    });
    const row = await eventOf(p.id, poisoned.uuid);
    expect(row).toMatchObject({ group0: 'acme' });
    expect(row?.properties.$group_0).toBe('acme');
    expect((await warningsOf(p.id)).map((w) => w.type)).toEqual(['ingestion_retries_exhausted']);
  });

  it('many requests at once: one mapping, every event consistent with it, no group update lost', async () => {
    const p = await newProject();
    const types = ['company', 'team', 'project', 'org', 'workspace', 'region'];
    const sent = Array.from({ length: 30 }, (_, i) => {
      const mine = [types[i % 6]!, types[(i * 5 + 1) % 6]!];
      return [
        ev('$pageview', `user-${i}`, { $groups: Object.fromEntries(mine.map((t) => [t, `${t}-${i % 3}`])) }),
        identify(`user-${i}`, 'company', 'hot', { [`seen_${i}`]: i }),
      ];
    });
    await Promise.all(sent.map((batch) => capture(p.api_token, batch)));
    await waitForStored(
      p.id,
      sent.flat().map((e) => e.uuid),
    );
    const mapping = await mappingOf(p.id);
    expect(mapping.size).toBe(5);
    expect([...mapping.values()].sort()).toEqual([0, 1, 2, 3, 4]);
    for (const [pv] of sent) {
      const row = await eventOf(p.id, pv!.uuid);
      for (const [type, key] of Object.entries(pv!.properties.$groups as Record<string, string>)) {
        const index = mapping.get(type);
        if (index === undefined) continue;
        expect(row?.properties[`$group_${index}`]).toBe(key);
        expect((row as Record<string, unknown>)[`group${index}`]).toBe(key);
      }
    }
    const hot = (await groupsOf(p.id)).find((g) => g.groupKey === 'hot');
    expect(hot?.properties).toEqual(Object.fromEntries(sent.map((_, i) => [`seen_${i}`, i])));
  });
});
