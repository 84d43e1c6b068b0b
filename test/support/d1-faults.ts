// The one D1 fault harness: faults injected into the real local D1 with triggers. While a rule
// for a project and table is in `test_d1_faults`, each of that project's writes of the given
// kind to the table fails with probability 1/one_in, as a D1 error would. A person whose
// properties carry POISON can never be written: a permanent fault for the message carrying it.
// Other test files share the database and its queue consumer, so a rule never reaches beyond
// its own project.
import { projectDatabase, shardDatabases } from '../../src/db/shards';
import { env } from './worker';

export type Write = 'INSERT' | 'UPDATE' | 'DELETE';

/** The writes a rule can fail (with the row that carries the project id). */
const WRITES: [table: string, write: Write][] = [
  ['persons', 'INSERT'],
  ['persons', 'UPDATE'],
  ['persons', 'DELETE'],
  ['person_distinct_ids', 'INSERT'],
  ['person_distinct_ids', 'UPDATE'],
  ['person_merges', 'INSERT'],
  ['events', 'INSERT'],
];

export const TRANSIENT_FAULT = 'injected transient D1 fault';
export const PERMANENT_FAULT = 'injected permanent D1 fault';

/** A person property no person write can ever take: `$set: POISON`. */
export const POISON = { test_d1_poison: true } as const;

export interface FaultRule {
  table: string;
  /** Which writes fail (default: every write to the table). */
  writes?: Write[];
  /** Each write fails with probability 1/oneIn (default 1: every one). */
  oneIn?: number;
}

const withFaults = new Set<number>();

/** Creates the rules table and the triggers (idempotent; call in `beforeAll`). */
export async function installD1Faults(): Promise<void> {
  // On every shard: each project's writes go to its own.
  for (const db of shardDatabases(env)) {
    await db
      .prepare(
        `CREATE TABLE IF NOT EXISTS test_d1_faults
          (project_id INTEGER NOT NULL, table_name TEXT NOT NULL, write TEXT, one_in INTEGER NOT NULL)`,
      )
      .run();
    for (const [table, write] of WRITES) {
      const row = write === 'DELETE' ? 'OLD' : 'NEW';
      await db
        .prepare(
          `CREATE TRIGGER IF NOT EXISTS test_d1_fault_${table}_${write.toLowerCase()} BEFORE ${write} ON ${table}
         WHEN EXISTS (SELECT 1 FROM test_d1_faults f
            WHERE f.project_id = ${row}.project_id AND f.table_name = '${table}'
                      AND (f.write IS NULL OR f.write = '${write}') AND abs(random()) % f.one_in = 0)
         BEGIN SELECT RAISE(ABORT, '${TRANSIENT_FAULT}'); END`,
        )
        .run();
    }
    const marker = JSON.stringify(POISON).slice(1, -1);
    for (const write of ['INSERT', 'UPDATE']) {
      await db
        .prepare(
          `CREATE TRIGGER IF NOT EXISTS test_d1_poison_persons_${write.toLowerCase()} BEFORE ${write} ON persons
         WHEN NEW.properties LIKE '%${marker}%' BEGIN SELECT RAISE(ABORT, '${PERMANENT_FAULT}'); END`,
        )
        .run();
    }
  }
}

/** From now on, the project's writes fail as the rules say. */
export async function injectD1Faults(projectId: number, rules: FaultRule[]): Promise<void> {
  withFaults.add(projectId);
  const db = await projectDatabase(env, projectId);
  const insert = db.prepare('INSERT INTO test_d1_faults (project_id, table_name, write, one_in) VALUES (?, ?, ?, ?)');
  await db.batch(
    rules.flatMap(({ table, writes, oneIn = 1 }) =>
      (writes ?? [null]).map((write) => insert.bind(projectId, table, write, oneIn)),
    ),
  );
}

/** Ends the faults of one project, or (without an argument) of every project this file injected into. */
export async function clearD1Faults(projectId?: number): Promise<void> {
  const ids = projectId === undefined ? [...withFaults] : [projectId];
  for (const id of ids) {
    await (await projectDatabase(env, id)).prepare('DELETE FROM test_d1_faults WHERE project_id = ?').bind(id).run();
    withFaults.delete(id);
  }
}
