import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../../src/db/client';
import { groups } from '../../src/db/schema';
import { applyGroupIdentifies, type GroupUpdate } from '../../src/groups/group-writes';
import { applyGroupUpdates, assignGroupTypes } from '../../src/groups/rules';
import { groupTypeIndexes, listGroupTypes } from '../../src/groups/type-mapping';
import { newProject } from '../support';

// The group writes on one shard (these tests call them directly, not through the Worker).
const db = dbOf(env.SHARD_0);

async function groupRow(projectId: number, groupTypeIndex: number, key: string) {
  return db
    .select()
    .from(groups)
    .where(and(eq(groups.projectId, projectId), eq(groups.groupTypeIndex, groupTypeIndex), eq(groups.groupKey, key)))
    .get();
}

const update = (
  key: string,
  set: Record<string, unknown>,
  setOnce: Record<string, unknown> = {},
  timestamp = '2026-01-01T00:00:00.000Z',
): GroupUpdate => ({
  groupTypeIndex: 0,
  key,
  set,
  setOnce,
  timestamp,
  eventUuid: crypto.randomUUID(),
});

/** Seeded shuffle, so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('group type mapping', () => {
  it('maps types in order of first appearance and keeps the mapping', async () => {
    const { id } = await newProject();
    expect([...(await groupTypeIndexes(db, id, ['company', 'team', 'company']))].sort()).toEqual([
      ['company', 0],
      ['team', 1],
    ]);
    const later = await groupTypeIndexes(db, id, ['project', 'team']);
    expect(later.get('project')).toBe(2);
    expect(later.get('team')).toBe(1);
    expect((await listGroupTypes(db, id)).map((t) => [t.groupTypeIndex, t.groupType])).toEqual([
      [0, 'company'],
      [1, 'team'],
      [2, 'project'],
    ]);
  });

  it('maps at most five types; the sixth gets no index', async () => {
    const { id } = await newProject();
    const mapping = await groupTypeIndexes(db, id, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect([...mapping].sort()).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
      ['e', 4],
    ]);
    expect((await groupTypeIndexes(db, id, ['g'])).has('g')).toBe(false);
    expect(await listGroupTypes(db, id)).toHaveLength(5);
  });

  it('consumers meeting new types at once agree on one index per type', async () => {
    for (const seed of [1, 2, 3]) {
      const { id } = await newProject();
      const types = ['company', 'team', 'project', 'org', 'workspace', 'region', 'unit', 'desk'];
      // 24 consumers, each meeting a shuffled handful of the eight types, all at once.
      const seen = Array.from({ length: 24 }, (_, i) => shuffled(types, seed * 100 + i).slice(0, 3 + (i % 5)));
      const answers = await Promise.all(seen.map((ts) => groupTypeIndexes(db, id, ts)));
      const stored = new Map((await listGroupTypes(db, id)).map((t) => [t.groupType, t.groupTypeIndex]));
      expect(stored.size).toBe(5);
      expect([...stored.values()].sort()).toEqual([0, 1, 2, 3, 4]);
      // Every consumer's answer agrees with the stored mapping.
      for (const answer of answers) for (const [type, index] of answer) expect(stored.get(type)).toBe(index);
      // And each type a consumer met is mapped unless five were already taken.
      for (const [i, answer] of answers.entries())
        for (const t of seen[i]!) expect(answer.has(t) || answer.size === 5).toBe(true);
      // The stored mapping is one a serial order of the consumers would give (the plain model).
      const order = [...stored].sort((a, b) => a[1] - b[1]).map(([t]) => t);
      expect(assignGroupTypes(new Map(), order)).toEqual(stored);
    }
  });
});

describe('group property updates', () => {
  it('creates a group, merges shallowly, and counts versions only on change', async () => {
    const { id } = await newProject();
    await applyGroupIdentifies(db, id, [
      update('acme', { name: 'Acme', address: { city: 'Paris' } }, {}, '2026-01-02T00:00:00.000Z'),
    ]);
    expect(await groupRow(id, 0, 'acme')).toMatchObject({
      properties: { name: 'Acme', address: { city: 'Paris' } },
      version: 1,
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    await applyGroupIdentifies(db, id, [
      update(
        'acme',
        { address: { zip: '1' }, plan: 'pro' },
        { name: 'Other', since: 2020 },
        '2026-01-03T00:00:00.000Z',
      ),
    ]);
    expect(await groupRow(id, 0, 'acme')).toMatchObject({
      properties: { name: 'Acme', address: { zip: '1' }, plan: 'pro', since: 2020 },
      version: 2,
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    await applyGroupIdentifies(db, id, [update('acme', { plan: 'pro' }, {}, '2026-01-04T00:00:00.000Z')]);
    expect((await groupRow(id, 0, 'acme'))?.version).toBe(2);
    // An earlier event moves created_at back, as PostHog's min(created_at, timestamp).
    await applyGroupIdentifies(db, id, [update('acme', {}, {}, '2025-12-31T00:00:00.000Z')]);
    expect(await groupRow(id, 0, 'acme')).toMatchObject({ createdAt: '2025-12-31T00:00:00.000Z', version: 3 });
  });

  it('keeps groups of different types and keys apart', async () => {
    const { id } = await newProject();
    await applyGroupIdentifies(db, id, [
      update('k', { a: 1 }),
      { ...update('k', { b: 2 }), groupTypeIndex: 1 },
      update('K', { c: 3 }),
    ]);
    expect((await groupRow(id, 0, 'k'))?.properties).toEqual({ a: 1 });
    expect((await groupRow(id, 1, 'k'))?.properties).toEqual({ b: 2 });
    expect((await groupRow(id, 0, 'K'))?.properties).toEqual({ c: 3 });
  });

  it('concurrent updates of one group lose nothing and match a serial order', async () => {
    const { id } = await newProject();
    const n = 40;
    const updates = Array.from({ length: n }, (_, i) => update('hot', { [`k${i}`]: i, last: i }, { first: i }));
    await Promise.all(updates.map((u) => applyGroupIdentifies(db, id, [u])));
    const row = await groupRow(id, 0, 'hot');
    const props = row!.properties;
    // The plain model: some serial order of the same updates; `first` is the first writer's, `last` the last writer's.
    const firstWriter = props.first as number;
    const lastWriter = props.last as number;
    const order = [
      firstWriter,
      ...Array.from({ length: n }, (_, i) => i).filter((i) => i !== firstWriter && i !== lastWriter),
      lastWriter,
    ];
    expect(
      applyGroupUpdates(
        {},
        order.map((i) => updates[i]!),
      ).properties,
    ).toEqual(props);
    expect(row!.version).toBe(n);
  });

  it('concurrent batches that each fold several groups lose nothing', async () => {
    const { id } = await newProject();
    const keys = ['a', 'b', 'c', 'd'];
    const batches = Array.from({ length: 12 }, (_, b) => keys.map((k) => update(k, { [`from${b}`]: true })));
    await Promise.all(batches.map((batch) => applyGroupIdentifies(db, id, batch)));
    for (const k of keys) {
      expect((await groupRow(id, 0, k))?.properties).toEqual(
        Object.fromEntries(batches.map((_, b) => [`from${b}`, true])),
      );
    }
  });

  it('an update that would grow the properties past 512 KB is refused with a warning; the others apply', async () => {
    const { id } = await newProject();
    const big = update('big', { blob: 'x'.repeat(300_000) });
    const tooMuch = update('big', { blob2: 'y'.repeat(300_000) });
    const small = update('big', { name: 'Big' });
    const warnings = await applyGroupIdentifies(db, id, [big, tooMuch, small]);
    expect([...warnings.keys()]).toEqual([tooMuch.eventUuid]);
    expect(warnings.get(tooMuch.eventUuid)).toEqual([
      {
        type: 'group_properties_size_violation',
        details: {
          eventUuid: tooMuch.eventUuid,
          groupTypeIndex: 0,
          groupKey: 'big',
          size: expect.any(Number),
          limit: 512 * 1024,
        },
      },
    ]);
    const row = await groupRow(id, 0, 'big');
    expect(Object.keys(row!.properties).sort()).toEqual(['blob', 'name']);
  });

  it('a retried batch changes nothing the second time', async () => {
    const { id } = await newProject();
    const batch = [update('r', { a: 1 }, { b: 2 }), update('r', { a: 3 })];
    await applyGroupIdentifies(db, id, batch);
    const first = await groupRow(id, 0, 'r');
    await applyGroupIdentifies(db, id, batch);
    expect(await groupRow(id, 0, 'r')).toEqual(first);
    expect(first?.properties).toEqual({ a: 3, b: 2 });
  });
});
