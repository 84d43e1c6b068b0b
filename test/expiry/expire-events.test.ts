import { and, eq } from 'drizzle-orm';
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { dbOf } from '../../src/db/client';
import { events, projects } from '../../src/db/schema';
import { projectDb } from '../../src/db/shards';
import { archiveKey, gunzipText, writeArchivePart } from '../../src/expiry/archive';
import { expireEvents, expiryCutoff } from '../../src/expiry/expire-events';
import { env, newProjectOnShard } from '../support';

const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
const DAYS = 30;
const CUTOFF = '2026-05-16T00:00:00.000Z';

type Row = typeof events.$inferInsert;

/** Events on both sides of the cutoff: two expired days, the boundary instant, and later. */
function eventsOf(projectId: number): Row[] {
  const at = (timestamp: string, n: number): Row => ({
    projectId,
    uuid: crypto.randomUUID(),
    event: `e${n}`,
    distinctId: `user-${n % 3}`,
    personIdAtIngest: crypto.randomUUID(),
    properties: { n, text: 'héllo ✓', nested: { list: [1, 2, n] } },
    timestamp,
  });
  return [
    at('2026-05-10T08:00:00.000Z', 1),
    at('2026-05-10T08:00:00.000Z', 2),
    at('2026-05-10T23:59:59.999Z', 3),
    at('2026-05-15T00:00:00.000Z', 4),
    at('2026-05-15T10:00:00.000Z', 5),
    at('2026-05-15T23:59:59.999Z', 6),
    at(CUTOFF, 7),
    at('2026-06-01T00:00:00.000Z', 8),
  ];
}

async function projectWithEvents(shard: number, retentionDays: number | null) {
  const project = await newProjectOnShard(shard);
  await dbOf(env.DB).update(projects).set({ eventRetentionDays: retentionDays }).where(eq(projects.id, project.id));
  const rows = eventsOf(project.id);
  const db = await projectDb(env, project.id);
  for (const row of rows) await db.insert(events).values(row);
  return { project, rows, db };
}

const storedUuids = async (db: ReturnType<typeof dbOf>, projectId: number) =>
  new Set(
    (await db.select({ uuid: events.uuid }).from(events).where(eq(events.projectId, projectId))).map((r) => r.uuid),
  );

async function archivedOf(projectId: number) {
  const listed = await env.ARCHIVE!.list({ prefix: `events/project=${projectId}/` });
  const lines: Record<string, unknown>[] = [];
  for (const object of listed.objects) {
    const body = await env.ARCHIVE!.get(object.key);
    const text = await gunzipText(await body!.arrayBuffer());
    for (const line of text.split('\n').filter(Boolean)) lines.push({ ...JSON.parse(line), key: object.key });
  }
  return { keys: listed.objects.map((o) => o.key), lines };
}

describe('retention', () => {
  it('cuts at the start of the UTC day event_retention_days ago', () => {
    expect(expiryCutoff(NOW, DAYS)).toBe(CUTOFF);
    expect(expiryCutoff(Date.UTC(2026, 5, 15, 0, 0, 0), 1)).toBe('2026-06-14T00:00:00.000Z');
  });

  it('archives each expired day to R2 (gzip NDJSON), then deletes exactly those events, on each shard', async () => {
    const a = await projectWithEvents(0, DAYS);
    const b = await projectWithEvents(1, DAYS);
    const keepAll = await projectWithEvents(1, null);

    const report = await expireEvents(env, NOW, {
      eventsPerPart: 2,
      onlyProjects: [a.project.id, b.project.id, keepAll.project.id],
    });

    for (const { project, rows, db } of [a, b]) {
      const expired = rows.filter((r) => r.timestamp < CUTOFF);
      const kept = rows.filter((r) => r.timestamp >= CUTOFF);
      expect(await storedUuids(db, project.id)).toEqual(new Set(kept.map((r) => r.uuid)));
      expect(report.find((r) => r.projectId === project.id)).toMatchObject({ deleted: expired.length, cutoff: CUTOFF });

      const { keys, lines } = await archivedOf(project.id);
      expect(
        keys.every((k) => /^events\/project=\d+\/date=\d{4}-\d{2}-\d{2}\/[0-9]{9}-[0-9a-f-]{36}\.ndjson\.gz$/.test(k)),
      ).toBe(true);
      // Two events a part: 3 on May 10 → 2 parts, 3 on May 15 → 2 parts.
      expect(keys).toHaveLength(4);
      const byUuid = new Map(lines.map((l) => [l.uuid, l]));
      expect(lines).toHaveLength(expired.length);
      for (const row of expired) {
        expect(byUuid.get(row.uuid)).toEqual({
          uuid: row.uuid,
          event: row.event,
          distinct_id: row.distinctId,
          person_id: row.personIdAtIngest,
          timestamp: row.timestamp,
          project_id: project.id,
          properties: row.properties,
          key: expect.stringContaining(`events/project=${project.id}/date=${row.timestamp.slice(0, 10)}/`),
        });
      }
    }
    // No retention set: nothing deleted, nothing archived.
    expect((await storedUuids(keepAll.db, keepAll.project.id)).size).toBe(keepAll.rows.length);
    expect((await archivedOf(keepAll.project.id)).keys).toEqual([]);

    // A second run finds nothing more to do.
    const again = await expireEvents(env, NOW, { eventsPerPart: 2, onlyProjects: [a.project.id, b.project.id] });
    expect(again.map((r) => r.deleted)).toEqual([0, 0]);
    expect((await archivedOf(a.project.id)).keys).toHaveLength(4);
  });

  it('deletes nothing when the archive write fails', async () => {
    const { project, rows, db } = await projectWithEvents(1, DAYS);
    const failingPuts = new Proxy(env.ARCHIVE!, {
      get: (bucket, name) =>
        name === 'put' ? () => Promise.reject(new Error('R2 is unavailable')) : Reflect.get(bucket, name).bind(bucket),
    });
    const report = await expireEvents(env, NOW, { archive: failingPuts, onlyProjects: [project.id] });
    expect(report[0]).toMatchObject({ projectId: project.id, deleted: 0, error: 'R2 is unavailable' });
    expect((await storedUuids(db, project.id)).size).toBe(rows.length);
    expect((await archivedOf(project.id)).keys).toEqual([]);
  });

  it('writes a part again in place after its delete did not happen, so nothing is archived twice', async () => {
    const { project, rows, db } = await projectWithEvents(0, DAYS);
    const oldest = rows
      .filter((r) => r.timestamp < CUTOFF)
      .sort((x, y) => (x.timestamp + x.uuid < y.timestamp + y.uuid ? -1 : 1));
    // As if a run wrote its first part and stopped before deleting it.
    const firstPart = await db
      .select()
      .from(events)
      .where(and(eq(events.projectId, project.id), eq(events.timestamp, oldest[0]!.timestamp)));
    firstPart.sort((x, y) => (x.uuid < y.uuid ? -1 : 1));
    await writeArchivePart(env.ARCHIVE!, archiveKey(project.id, firstPart[0]!), firstPart.slice(0, 2));

    await expireEvents(env, NOW, { eventsPerPart: 2, onlyProjects: [project.id] });
    const { keys, lines } = await archivedOf(project.id);
    expect(keys).toHaveLength(4);
    expect(lines.map((l) => l.uuid).sort()).toEqual(oldest.map((r) => r.uuid).sort());
  });

  it('only deletes when no archive is bound', async () => {
    const { project, rows, db } = await projectWithEvents(0, DAYS);
    const report = await expireEvents(env, NOW, { archive: null, onlyProjects: [project.id] });
    expect(report[0]).toMatchObject({ deleted: rows.filter((r) => r.timestamp < CUTOFF).length, archived: [] });
    expect((await storedUuids(db, project.id)).size).toBe(rows.filter((r) => r.timestamp >= CUTOFF).length);
    expect((await archivedOf(project.id)).keys).toEqual([]);
  });

  it("runs from the Worker's Cron Trigger (scheduled handler)", async () => {
    const { project, rows, db } = await projectWithEvents(1, DAYS);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: NOW, cron: '17 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    const expired = rows.filter((r) => r.timestamp < CUTOFF);
    expect((await storedUuids(db, project.id)).size).toBe(rows.length - expired.length);
    expect((await archivedOf(project.id)).lines.map((l) => l.uuid).sort()).toEqual(expired.map((r) => r.uuid).sort());
  });
});
