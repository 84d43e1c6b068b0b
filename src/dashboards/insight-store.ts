/** Every read and write of saved insights (table `insights`) and of which dashboards show them. */
import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../db/client';
import { runBatch } from './batch';
import { dashboardTiles, dashboards, insightResults, insights } from '../db/schema';

export type InsightRow = typeof insights.$inferSelect;

const SHORT_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** 8 random characters, as PostHog's `generate_short_id`. */
function newShortId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => SHORT_ID_ALPHABET[b % SHORT_ID_ALPHABET.length]).join('');
}

interface InsightFields {
  name?: string | null;
  description?: string;
  query?: Record<string, unknown>;
  tags?: string[];
  favorited?: boolean;
  saved?: boolean;
  deleted?: boolean;
}

/** The fields whose change is a modification of what the insight shows (PostHog's MATERIAL_INSIGHT_FIELDS). */
const MATERIAL: (keyof InsightFields)[] = ['name', 'description', 'query', 'tags', 'favorited'];

export async function createInsight(
  db: Db,
  projectId: number,
  fields: InsightFields & { query: Record<string, unknown> },
): Promise<InsightRow> {
  const [row] = await db
    .insert(insights)
    .values({ projectId, shortId: newShortId(), ...fields })
    .returning();
  return row!;
}

export async function getInsight(
  db: Db,
  projectId: number,
  id: number,
  includeDeleted = false,
): Promise<InsightRow | undefined> {
  const conditions = [eq(insights.projectId, projectId), eq(insights.id, id)];
  if (!includeDeleted) conditions.push(eq(insights.deleted, false));
  return db
    .select()
    .from(insights)
    .where(and(...conditions))
    .get();
}

interface InsightListFilter {
  search?: string;
  saved?: boolean;
  favorited?: boolean;
  shortId?: string;
  /** Insights on every one of these dashboards. */
  dashboards?: number[];
  order: 'id' | '-last_modified_at' | 'last_modified_at' | '-created_at' | 'created_at' | 'name';
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function onDashboard(projectId: number, dashboardId?: number): SQL {
  return sql`EXISTS (SELECT 1 FROM ${dashboardTiles} t JOIN ${dashboards} d ON d.id = t.dashboard_id
    WHERE t.project_id = ${projectId} AND t.insight_id = ${insights.id} AND t.deleted = 0 AND d.deleted = 0
    ${dashboardId === undefined ? sql`` : sql`AND t.dashboard_id = ${dashboardId}`})`;
}

/** One page of a project's insights (not deleted) and how many match in all. */
export async function listInsights(
  db: Db,
  projectId: number,
  filter: InsightListFilter,
  limit: number,
  offset: number,
): Promise<{ rows: InsightRow[]; count: number }> {
  const conditions: (SQL | undefined)[] = [eq(insights.projectId, projectId), eq(insights.deleted, false)];
  if (filter.search) {
    const pattern = `%${escapeLike(filter.search)}%`;
    const match = (column: SQL | typeof insights.name | typeof insights.description) =>
      sql`${column} LIKE ${pattern} ESCAPE '\\'`;
    conditions.push(or(match(insights.name), match(insights.description), match(sql`${insights.tags}`)));
  }
  if (filter.saved === true) conditions.push(or(eq(insights.saved, true), onDashboard(projectId)));
  if (filter.saved === false) conditions.push(eq(insights.saved, false));
  if (filter.favorited) conditions.push(eq(insights.favorited, true));
  if (filter.shortId !== undefined) conditions.push(eq(insights.shortId, filter.shortId));
  for (const id of filter.dashboards ?? []) conditions.push(onDashboard(projectId, id));
  const where = and(...conditions);
  const order = {
    id: [asc(insights.id)],
    '-last_modified_at': [desc(insights.lastModifiedAt), desc(insights.id)],
    last_modified_at: [asc(insights.lastModifiedAt), asc(insights.id)],
    '-created_at': [desc(insights.createdAt), desc(insights.id)],
    created_at: [asc(insights.createdAt), asc(insights.id)],
    name: [asc(insights.name), asc(insights.id)],
  }[filter.order];
  const [rows, total] = await Promise.all([
    db
      .select()
      .from(insights)
      .where(where)
      .orderBy(...order)
      .limit(limit)
      .offset(offset),
    db.select({ n: sql<number>`count(*)` }).from(insights).where(where).get(),
  ]);
  return { rows, count: total?.n ?? 0 };
}

/** Changes an insight; a change to what it computes (`query`) drops its cached results. */
export async function updateInsight(db: Db, projectId: number, id: number, fields: InsightFields): Promise<void> {
  const now = new Date().toISOString();
  const material = MATERIAL.some((key) => fields[key] !== undefined);
  const key = and(eq(insights.projectId, projectId), eq(insights.id, id));
  const statements: BatchItem<'sqlite'>[] = [
    db
      .update(insights)
      .set({ ...fields, updatedAt: now, ...(material ? { lastModifiedAt: now } : {}) })
      .where(key),
  ];
  if (fields.query !== undefined || fields.deleted)
    statements.push(
      db.delete(insightResults).where(and(eq(insightResults.projectId, projectId), eq(insightResults.insightId, id))),
    );
  if (fields.deleted)
    statements.push(
      db
        .update(dashboardTiles)
        .set({ deleted: true })
        .where(and(eq(dashboardTiles.projectId, projectId), eq(dashboardTiles.insightId, id))),
    );
  await runBatch(db, statements);
}

export interface InsightTile {
  id: number;
  dashboard_id: number;
  deleted: false;
}

/** For each insight, its tiles on (not deleted) dashboards, in creation order. */
export async function tilesOfInsights(db: Db, projectId: number, ids: number[]): Promise<Map<number, InsightTile[]>> {
  const result = new Map<number, InsightTile[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return result;
  const rows = await db
    .select({ id: dashboardTiles.id, insightId: dashboardTiles.insightId, dashboardId: dashboardTiles.dashboardId })
    .from(dashboardTiles)
    .innerJoin(dashboards, eq(dashboards.id, dashboardTiles.dashboardId))
    .where(
      and(
        eq(dashboardTiles.projectId, projectId),
        inArray(dashboardTiles.insightId, ids),
        eq(dashboardTiles.deleted, false),
        eq(dashboards.deleted, false),
      ),
    )
    .orderBy(asc(dashboardTiles.id));
  for (const row of rows)
    result.get(row.insightId!)?.push({ id: row.id, dashboard_id: row.dashboardId, deleted: false });
  return result;
}

/**
 * Puts the insight on exactly these dashboards, as PostHog's `_update_insight_dashboards`: a
 * tile for each new one (a removed tile comes back with its layout), the others' tiles deleted.
 */
export async function setInsightDashboards(db: Db, projectId: number, insightId: number, ids: number[]) {
  const existing = await db
    .select()
    .from(dashboardTiles)
    .where(and(eq(dashboardTiles.projectId, projectId), eq(dashboardTiles.insightId, insightId)));
  const wanted = new Set(ids);
  const statements: BatchItem<'sqlite'>[] = [];
  for (const id of wanted) {
    const tile = existing.find((t) => t.dashboardId === id);
    if (!tile) statements.push(db.insert(dashboardTiles).values({ projectId, dashboardId: id, insightId }));
    else if (tile.deleted)
      statements.push(db.update(dashboardTiles).set({ deleted: false }).where(eq(dashboardTiles.id, tile.id)));
  }
  for (const tile of existing)
    if (!tile.deleted && !wanted.has(tile.dashboardId))
      statements.push(db.update(dashboardTiles).set({ deleted: true }).where(eq(dashboardTiles.id, tile.id)));
  if (statements.length > 0) await runBatch(db, statements);
}
