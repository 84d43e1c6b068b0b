import { and, eq } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';

import { events, ingestionWarnings, persons } from '../../src/db/schema';
import { projectDb, shardSizeBytes } from '../../src/db/shards';
import { checkShardFill, D1_DATABASE_LIMIT_BYTES } from '../../src/db/storage';
import { api, env, newProjectOnShard } from '../support';

const utf8 = (s: string) => new TextEncoder().encode(s).byteLength;

describe('storage figures', () => {
  it("GET /api/projects/:id/ reports the project's events, persons, bytes, shard and the shard's fill", async () => {
    for (const shard of [0, 1]) {
      const project = await newProjectOnShard(shard);
      const db = await projectDb(env, project.id);
      const eventRows = Array.from({ length: 7 }, (_, n) => ({
        projectId: project.id,
        uuid: crypto.randomUUID(),
        event: n % 2 ? '$pageview' : 'signed up ✓',
        distinctId: `d${n}`,
        personIdAtIngest: crypto.randomUUID(),
        properties: { n, plan: 'pro', name: 'Zoë' },
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
      }));
      const personRows = Array.from({ length: 3 }, (_, n) => ({
        id: crypto.randomUUID(),
        projectId: project.id,
        properties: { email: `p${n}@example.com` },
        createdAt: new Date(Date.UTC(2026, 0, 1)).toISOString(),
      }));
      for (const row of eventRows) await db.insert(events).values(row);
      for (const row of personRows) await db.insert(persons).values(row);

      const res = await api(`/api/projects/${project.id}/`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { storage: Record<string, number> };
      const expectedBytes =
        eventRows.reduce(
          (sum, e) =>
            sum +
            utf8(e.uuid) +
            utf8(e.event) +
            utf8(e.distinctId) +
            utf8(e.personIdAtIngest) +
            utf8(JSON.stringify(e.properties)) +
            utf8(e.timestamp),
          0,
        ) + personRows.reduce((sum, p) => sum + utf8(p.id) + utf8(JSON.stringify(p.properties)) + utf8(p.createdAt), 0);
      const shardBytes = await shardSizeBytes(shard === 0 ? env.SHARD_0 : env.SHARD_1);
      expect(body.storage).toMatchObject({
        events: 7,
        persons: 3,
        bytes: expectedBytes,
        shard,
        shard_limit_bytes: D1_DATABASE_LIMIT_BYTES,
      });
      // Other test files write to the shard meanwhile: within a few pages of a reading taken just after.
      expect(Math.abs(body.storage.shard_bytes! - shardBytes)).toBeLessThan(1_000_000);
      expect(body.storage.shard_fill).toBeCloseTo(body.storage.shard_bytes! / D1_DATABASE_LIMIT_BYTES, 12);
    }
  });
});

describe('shard fill', () => {
  const fillWarnings = async (projectId: number) =>
    (await projectDb(env, projectId))
      .select()
      .from(ingestionWarnings)
      .where(and(eq(ingestionWarnings.projectId, projectId), eq(ingestionWarnings.type, 'shard_nearly_full')));

  it('logs and warns the projects of a shard past 80% of its limit, once a day', async () => {
    const sizes = [await shardSizeBytes(env.SHARD_0), await shardSizeBytes(env.SHARD_1)];
    // A limit that puts the larger shard at ~90%; the smaller one is under 80% unless they are
    // within 12% of each other.
    const big = sizes[0]! >= sizes[1]! ? 0 : 1;
    const small = 1 - big;
    const limit = Math.round(sizes[big]! / 0.9);
    const smallIsUnder = sizes[small]! / limit < 0.8;
    const bigOnOwnShard = await newProjectOnShard(big);
    const smallOnOwnShard = await newProjectOnShard(small);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const only = [smallOnOwnShard.id, bigOnOwnShard.id];
      const now = Date.UTC(2026, 5, 1, 12);
      const fills = await checkShardFill({ ...env, SHARD_LIMIT_BYTES: String(limit) }, { now, onlyProjects: only });
      expect(fills.map((f) => f.shard)).toEqual([0, 1]);
      expect(fills[big]!.fill).toBeGreaterThanOrEqual(0.8);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining(`shard SHARD_${big} is`));

      const [warning, ...more] = await fillWarnings(bigOnOwnShard.id);
      expect(more).toEqual([]);
      expect(warning?.details).toMatchObject({ shard: big, limitBytes: limit });
      expect(await fillWarnings(smallOnOwnShard.id)).toHaveLength(smallIsUnder ? 0 : 1);

      // Within a day: no second warning. A day later: another.
      await checkShardFill({ ...env, SHARD_LIMIT_BYTES: String(limit) }, { now: now + 3_600_000, onlyProjects: only });
      expect(await fillWarnings(bigOnOwnShard.id)).toHaveLength(1);
      await checkShardFill(
        { ...env, SHARD_LIMIT_BYTES: String(limit) },
        { now: now + 25 * 3_600_000, onlyProjects: only },
      );
      expect(await fillWarnings(bigOnOwnShard.id)).toHaveLength(2);

      // Under the default 10 GB limit nothing is near full.
      warn.mockClear();
      const roomyFills = await checkShardFill(env, { now, onlyProjects: only });
      expect(roomyFills.every((f) => f.fill < 0.8)).toBe(true);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});
