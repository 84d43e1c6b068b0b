import type { Db } from '../db/client';
import type { Warning } from '../identity';
import { applyGroupUpdates, groupPropertiesSizeViolation, groupPropertiesTooLarge, type GroupIdentify } from './rules';

/** One `$groupidentify` for a mapped group type, in ingestion order. */
export interface GroupUpdate extends Pick<GroupIdentify, 'key' | 'set' | 'setOnce'> {
  groupTypeIndex: number;
  /** The event's timestamp: a group's `created_at` is its earliest. */
  timestamp: string;
  eventUuid: string;
}

interface StoredGroup {
  properties: Record<string, unknown>;
  createdAt: string;
  version: number;
}

const MAX_ATTEMPTS = 20;
/** D1 allows 100 bound parameters per statement. */
const KEYS_PER_READ = 90;

const groupId = (index: number, key: string) => `${index}\u0000${key}`;

/**
 * Applies `$groupidentify` updates, the only writer of `groups` rows. Updates
 * of one group are folded in order into one write. Each write is guarded on
 * the version it read (an insert on the row not existing yet); when another
 * consumer wrote the group first, the group is re-read and its updates applied
 * again on top, so concurrent updates lose nothing. Applying the same updates
 * twice (a retried message) changes nothing the second time.
 */
export async function applyGroupIdentifies(
  db: Db,
  projectId: number,
  updates: GroupUpdate[],
): Promise<Map<string, Warning[]>> {
  const warnings = new Map<string, Warning[]>();
  let pending = new Map<string, GroupUpdate[]>();
  for (const u of updates) {
    const id = groupId(u.groupTypeIndex, u.key);
    pending.set(id, [...(pending.get(id) ?? []), u]);
  }
  for (let attempt = 1; pending.size > 0; attempt++) {
    if (attempt > MAX_ATTEMPTS) throw new Error(`group properties kept changing after ${MAX_ATTEMPTS} attempts`);
    if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    const stored = await readGroups(
      db,
      projectId,
      [...pending.values()].map((us) => us[0]!),
    );
    const writes: { id: string; statement: D1PreparedStatement }[] = [];
    for (const [id, groupUpdates] of pending) {
      const statement = writeOf(db, projectId, stored.get(id), groupUpdates, warnings);
      if (statement) writes.push({ id, statement });
    }
    const results = writes.length > 0 ? await db.$client.batch(writes.map((w) => w.statement)) : [];
    const moved = new Map<string, GroupUpdate[]>();
    results.forEach((result, i) => {
      if (result.meta.changes === 0) moved.set(writes[i]!.id, pending.get(writes[i]!.id)!);
    });
    pending = moved;
  }
  return warnings;
}

/** The guarded insert or update of one group, or null when its row already says all this. */
function writeOf(
  db: Db,
  projectId: number,
  current: StoredGroup | undefined,
  updates: GroupUpdate[],
  warnings: Map<string, Warning[]>,
): D1PreparedStatement | null {
  const { groupTypeIndex, key } = updates[0]!;
  const earliest = updates.reduce((min, u) => (u.timestamp < min ? u.timestamp : min), updates[0]!.timestamp);
  // An update that would grow the properties past the limit is refused (its event gets a warning); the others apply.
  let properties = current?.properties ?? {};
  for (const u of updates) {
    const after = applyGroupUpdates(properties, [u]).properties;
    if (groupPropertiesTooLarge(after)) {
      warnings.set(u.eventUuid, [groupPropertiesSizeViolation(u.eventUuid, groupTypeIndex, key, after)]);
    } else {
      properties = after;
    }
  }
  const next = applyGroupUpdates(current?.properties ?? {}, [{ set: properties, setOnce: {} }]);
  if (!current) {
    return db.$client
      .prepare(
        `INSERT INTO groups (project_id, group_type_index, group_key, properties, created_at, version)
         VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
      )
      .bind(projectId, groupTypeIndex, key, JSON.stringify(next.properties), earliest);
  }
  const createdAt = earliest < current.createdAt ? earliest : current.createdAt;
  if (!next.changed && createdAt === current.createdAt) return null;
  return db.$client
    .prepare(
      `UPDATE groups SET properties = ?, created_at = ?, version = version + 1
       WHERE project_id = ? AND group_type_index = ? AND group_key = ? AND version = ?`,
    )
    .bind(JSON.stringify(next.properties), createdAt, projectId, groupTypeIndex, key, current.version);
}

async function readGroups(
  db: Db,
  projectId: number,
  refs: Pick<GroupUpdate, 'groupTypeIndex' | 'key'>[],
): Promise<Map<string, StoredGroup>> {
  const byIndex = new Map<number, string[]>();
  for (const { groupTypeIndex, key } of refs)
    byIndex.set(groupTypeIndex, [...(byIndex.get(groupTypeIndex) ?? []), key]);
  const reads: D1PreparedStatement[] = [];
  for (const [index, keys] of byIndex) {
    for (let i = 0; i < keys.length; i += KEYS_PER_READ) {
      const part = keys.slice(i, i + KEYS_PER_READ);
      reads.push(
        db.$client
          .prepare(
            `SELECT group_type_index, group_key, properties, created_at, version FROM groups
             WHERE project_id = ? AND group_type_index = ? AND group_key IN (${part.map(() => '?').join(', ')})`,
          )
          .bind(projectId, index, ...part),
      );
    }
  }
  const stored = new Map<string, StoredGroup>();
  if (reads.length === 0) return stored;
  type Row = { group_type_index: number; group_key: string; properties: string; created_at: string; version: number };
  for (const { results } of await db.$client.batch<Row>(reads)) {
    for (const row of results) {
      stored.set(groupId(row.group_type_index, row.group_key), {
        properties: JSON.parse(row.properties) as Record<string, unknown>,
        createdAt: row.created_at,
        version: row.version,
      });
    }
  }
  return stored;
}
