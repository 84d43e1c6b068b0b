import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbOf } from '../../src/db/client';
import { projects } from '../../src/db/schema';
import {
  leastLoadedShard,
  placeNewProject,
  projectDatabase,
  projectReadDatabase,
  shardDatabases,
  shardSizeBytes,
} from '../../src/db/shards';
import { api, env, newProject } from '../support';

describe('leastLoadedShard', () => {
  it('picks the smallest shard, then the one with fewer projects, then the lowest index', () => {
    expect(leastLoadedShard([300, 100, 200], [0, 5, 0])).toBe(1);
    expect(leastLoadedShard([100, 100, 100], [3, 1, 1])).toBe(1);
    expect(leastLoadedShard([100, 100], [2, 2])).toBe(0);
    expect(leastLoadedShard([100], [9])).toBe(0);
  });
});

describe('shards', () => {
  it('runs with two shards, each migrated and reporting its size', async () => {
    const shards = shardDatabases(env);
    expect(shards).toHaveLength(2);
    for (const db of shards) {
      expect(await shardSizeBytes(db)).toBeGreaterThan(0);
      const tables = await db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'").all();
      expect(tables.results).toHaveLength(1);
    }
  });

  it('places a new project on the shard with the least data', async () => {
    const shards = shardDatabases(env);
    const before = await Promise.all(shards.map(shardSizeBytes));
    const expected = await placeNewProject(env);
    const project = await newProject('placed');
    const row = await dbOf(env.DB)
      .select({ shard: projects.shard })
      .from(projects)
      .where(eq(projects.id, project.id))
      .get();
    expect(row?.shard).toBe(expected);
    if (before[0] !== before[1]) expect(row?.shard).toBe(before[0]! < before[1]! ? 0 : 1);
    expect(await projectDatabase(env, project.id)).toBe(env[`SHARD_${row!.shard}`]);
  });

  it('reads through a D1 session (read replica) on the project shard', async () => {
    const project = await newProject('session');
    const read = await projectReadDatabase(env, project.id);
    const row = await read
      .prepare('SELECT count(*) AS n FROM events WHERE project_id = ?')
      .bind(project.id)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
  });

  it('answers 404 for a project missing from the catalog', async () => {
    const res = await api('/api/projects/987654321/events/');
    expect(res.status).toBe(404);
  });
});
