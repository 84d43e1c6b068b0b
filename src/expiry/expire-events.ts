import { and, asc, eq, inArray, isNotNull, lt } from 'drizzle-orm';
import { dbOf } from '../db/client';
import { events, projects } from '../db/schema';
import { projectDb } from '../db/shards';
import type { Env } from '../env';
import { archiveKey, writeArchivePart } from './archive';

const DAY_MS = 86_400_000;

interface ExpiryOptions {
  /** Where expired events go before deletion; default env.ARCHIVE, null to only delete. */
  archive?: R2Bucket | null;
  /** Events read, archived and deleted at once (one R2 object, one D1 batch). */
  eventsPerPart?: number;
  /** Parts per run over all projects, so one run stays within a Worker's limits; the next run continues. */
  maxParts?: number;
  /** Only these projects (tests share their databases with other test files). */
  onlyProjects?: number[];
}

interface ProjectExpiry {
  projectId: number;
  cutoff: string;
  deleted: number;
  archived: string[];
  /** Set when the run stopped on this project (nothing of the failed part was deleted). */
  error?: string;
}

/**
 * The first instant a project keeps: the start of the UTC day `retentionDays`
 * before now. Everything earlier is whole days, archived and deleted day by day.
 */
export function expiryCutoff(now: number, retentionDays: number): string {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return new Date(today - retentionDays * DAY_MS).toISOString();
}

/**
 * Deletes every project's expired events (event_retention_days), oldest first,
 * in bounded parts. With an archive bucket each part is first written to R2
 * (gzip NDJSON, one object per part of a day) and deleted only once the write
 * succeeded; a failed write stops that project's run with nothing deleted.
 */
export async function expireEvents(env: Env, now = Date.now(), options: ExpiryOptions = {}): Promise<ProjectExpiry[]> {
  const archive = options.archive === undefined ? env.ARCHIVE : options.archive;
  const eventsPerPart = options.eventsPerPart ?? 1000;
  let partsLeft = options.maxParts ?? 100;
  const expiring = await dbOf(env.DB)
    .select({ id: projects.id, days: projects.eventRetentionDays })
    .from(projects)
    .where(
      and(
        isNotNull(projects.eventRetentionDays),
        options.onlyProjects ? inArray(projects.id, options.onlyProjects) : undefined,
      ),
    )
    .orderBy(projects.id);

  const report: ProjectExpiry[] = [];
  for (const { id: projectId, days } of expiring) {
    if (partsLeft <= 0) break;
    const cutoff = expiryCutoff(now, days!);
    const outcome: ProjectExpiry = { projectId, cutoff, deleted: 0, archived: [] };
    report.push(outcome);
    try {
      const db = await projectDb(env, projectId);
      while (partsLeft > 0) {
        const oldest = await db
          .select()
          .from(events)
          .where(and(eq(events.projectId, projectId), lt(events.timestamp, cutoff)))
          .orderBy(asc(events.timestamp), asc(events.uuid))
          .limit(eventsPerPart);
        if (oldest.length === 0) break;
        // A part never spans two days: each day is its own R2 prefix.
        const day = oldest[0]!.timestamp.slice(0, 10);
        const part = oldest.filter((e) => e.timestamp.startsWith(day));
        partsLeft -= 1;
        if (archive) {
          const key = archiveKey(projectId, part[0]!);
          await writeArchivePart(archive, key, part);
          outcome.archived.push(key);
        }
        await deleteEvents(
          db,
          projectId,
          part.map((e) => e.uuid),
        );
        outcome.deleted += part.length;
      }
    } catch (error) {
      outcome.error = error instanceof Error ? error.message : String(error);
      console.error(`retention of project ${projectId} stopped: ${outcome.error}`);
    }
  }
  return report;
}

/** Deletes exactly these events in one D1 batch (a transaction): all or none. */
async function deleteEvents(db: ReturnType<typeof dbOf>, projectId: number, uuids: string[]): Promise<void> {
  const statements = [];
  for (let i = 0; i < uuids.length; i += 90) {
    statements.push(
      db.delete(events).where(and(eq(events.projectId, projectId), inArray(events.uuid, uuids.slice(i, i + 90)))),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}
