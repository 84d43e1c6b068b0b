/** Every read and write of dashboards, their tiles and their share links. */
import { and, asc, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { runBatch } from './batch';
import { dashboardTiles, dashboards, insightResults, insights } from '../db/schema';
import type { InsightRow } from './insight-store';

export type DashboardRow = typeof dashboards.$inferSelect;
export type TileRow = typeof dashboardTiles.$inferSelect;

/** Tiles a dashboard may hold: each may cost a query when the dashboard is refreshed. */
export const MAX_TILES = 30;

interface DashboardFields {
  name?: string;
  description?: string;
  pinned?: boolean;
  filters?: Record<string, unknown>;
  tags?: string[];
  deleted?: boolean;
}

export async function createDashboard(
  db: Db,
  projectId: number,
  fields: DashboardFields & { name: string },
): Promise<DashboardRow> {
  const [row] = await db
    .insert(dashboards)
    .values({ projectId, ...fields })
    .returning();
  return row!;
}

export async function getDashboard(
  db: Db,
  projectId: number,
  id: number,
  includeDeleted = false,
): Promise<DashboardRow | undefined> {
  const conditions = [eq(dashboards.projectId, projectId), eq(dashboards.id, id)];
  if (!includeDeleted) conditions.push(eq(dashboards.deleted, false));
  return db
    .select()
    .from(dashboards)
    .where(and(...conditions))
    .get();
}

export async function dashboardByShareToken(db: Db, projectId: number, token: string) {
  return db
    .select()
    .from(dashboards)
    .where(
      and(
        eq(dashboards.projectId, projectId),
        eq(dashboards.shareToken, token),
        eq(dashboards.shareEnabled, true),
        eq(dashboards.deleted, false),
      ),
    )
    .get();
}

export async function listDashboards(
  db: Db,
  projectId: number,
  filter: { search?: string; pinned?: boolean },
  limit: number,
  offset: number,
): Promise<{ rows: DashboardRow[]; count: number }> {
  const conditions: SQL[] = [eq(dashboards.projectId, projectId), eq(dashboards.deleted, false)];
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    conditions.push(
      sql`(${dashboards.name} LIKE ${pattern} ESCAPE '\\' OR ${dashboards.description} LIKE ${pattern} ESCAPE '\\')`,
    );
  }
  if (filter.pinned !== undefined) conditions.push(eq(dashboards.pinned, filter.pinned));
  const where = and(...conditions);
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(dashboards)
      .where(where)
      .orderBy(desc(dashboards.pinned), asc(dashboards.name), asc(dashboards.id))
      .limit(limit)
      .offset(offset),
    db.select({ n: sql<number>`count(*)` }).from(dashboards).where(where).get(),
  ]);
  return { rows, count: total?.n ?? 0 };
}

/** Changes a dashboard; new filters drop the results cached under the old ones. */
export async function updateDashboard(db: Db, projectId: number, id: number, fields: DashboardFields) {
  const statements: BatchItem<'sqlite'>[] = [];
  if (Object.keys(fields).length > 0)
    statements.push(
      db
        .update(dashboards)
        .set(fields)
        .where(and(eq(dashboards.projectId, projectId), eq(dashboards.id, id))),
    );
  if (fields.filters !== undefined || fields.deleted)
    statements.push(
      db.delete(insightResults).where(and(eq(insightResults.projectId, projectId), eq(insightResults.dashboardId, id))),
    );
  if (statements.length > 0) await runBatch(db, statements);
}

/** A dashboard's tiles (not deleted) with their insights (not deleted), in creation order. */
export async function tilesOf(
  db: Db,
  projectId: number,
  dashboardId: number,
): Promise<{ tile: TileRow; insight: InsightRow | null }[]> {
  const rows = await db
    .select({ tile: dashboardTiles, insight: insights })
    .from(dashboardTiles)
    .leftJoin(insights, and(eq(insights.id, dashboardTiles.insightId), eq(insights.projectId, projectId)))
    .where(
      and(
        eq(dashboardTiles.projectId, projectId),
        eq(dashboardTiles.dashboardId, dashboardId),
        eq(dashboardTiles.deleted, false),
      ),
    )
    .orderBy(asc(dashboardTiles.id))
    .limit(MAX_TILES);
  return rows.filter((r) => r.tile.insightId === null || (r.insight && !r.insight.deleted));
}

export async function countTiles(db: Db, projectId: number, dashboardId: number): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(dashboardTiles)
    .where(
      and(
        eq(dashboardTiles.projectId, projectId),
        eq(dashboardTiles.dashboardId, dashboardId),
        eq(dashboardTiles.deleted, false),
      ),
    )
    .get();
  return row?.n ?? 0;
}

interface TileChange {
  id?: number;
  layouts?: Record<string, unknown>;
  color?: string | null;
  deleted?: boolean;
  text?: { body: string };
}

/**
 * Applies PATCH `tiles` entries: an id changes that tile of this dashboard; a text without an id
 * is a new text tile.
 */
export async function changeTiles(db: Db, projectId: number, dashboardId: number, changes: TileChange[]) {
  const now = new Date().toISOString();
  const statements: BatchItem<'sqlite'>[] = [];
  for (const change of changes) {
    const set = {
      ...(change.layouts !== undefined ? { layouts: change.layouts } : {}),
      ...(change.color !== undefined ? { color: change.color } : {}),
      ...(change.deleted !== undefined ? { deleted: change.deleted } : {}),
      ...(change.text ? { textBody: change.text.body, textLastModifiedAt: now } : {}),
    };
    if (change.id === undefined) {
      statements.push(db.insert(dashboardTiles).values({ projectId, dashboardId, ...set }));
    } else if (Object.keys(set).length > 0) {
      statements.push(
        db
          .update(dashboardTiles)
          .set(set)
          .where(
            and(
              eq(dashboardTiles.projectId, projectId),
              eq(dashboardTiles.dashboardId, dashboardId),
              eq(dashboardTiles.id, change.id),
            ),
          ),
      );
    }
  }
  if (statements.length > 0) await runBatch(db, statements);
}

interface ShareChange {
  enabled?: boolean;
  settings?: Record<string, unknown>;
  /** A new token: every link given out before stops working. */
  rotate?: boolean;
}

/** A random share token: 24 bytes, base64url. */
function newShareToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

export async function changeSharing(db: Db, dashboard: DashboardRow, change: ShareChange): Promise<DashboardRow> {
  const needsToken = change.rotate || (change.enabled && !dashboard.shareToken);
  const [row] = await db
    .update(dashboards)
    .set({
      ...(change.enabled !== undefined ? { shareEnabled: change.enabled } : {}),
      ...(change.settings !== undefined ? { shareSettings: { ...dashboard.shareSettings, ...change.settings } } : {}),
      ...(needsToken ? { shareToken: newShareToken(), shareCreatedAt: new Date().toISOString() } : {}),
    })
    .where(and(eq(dashboards.projectId, dashboard.projectId), eq(dashboards.id, dashboard.id)))
    .returning();
  return row!;
}
