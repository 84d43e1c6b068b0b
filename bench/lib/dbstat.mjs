// Bytes per table and index of a local D1 database, read by SQLite's own `dbstat` from the
// database file that `wrangler dev` keeps under its --persist-to directory. Local D1 (workerd)
// has no `dbstat` and refuses `PRAGMA page_count` (not authorized), so the file is copied (with
// its WAL) and read by another SQLite: Python's sqlite3 module (python3 on this machine), built
// with dbstat.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const READER = `
import json, os, shutil, sqlite3, sys, tempfile
project_id, files = int(sys.argv[1]), sys.argv[2:]
out = []
for f in files:
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, 'db.sqlite')
        shutil.copyfile(f, copy)
        if os.path.exists(f + '-wal'):
            shutil.copyfile(f + '-wal', copy + '-wal')
        con = sqlite3.connect(copy)
        has_events = con.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'events'").fetchone()[0]
        if not has_events or not con.execute('SELECT count(*) FROM events WHERE project_id = ?', (project_id,)).fetchone()[0]:
            con.close()
            continue
        one = lambda sql: con.execute(sql).fetchone()[0]
        names = con.execute('''SELECT s.name, coalesce(m.tbl_name, s.name), coalesce(m.type, 'table'),
            sum(s.pgsize), count(*), sum(s.payload), sum(s.unused), sum(s.ncell)
            FROM dbstat s LEFT JOIN sqlite_schema m ON m.name = s.name GROUP BY s.name''').fetchall()
        out.append({'file': os.path.basename(f), 'page_size': one('PRAGMA page_size'),
            'page_count': one('PRAGMA page_count'), 'freelist_count': one('PRAGMA freelist_count'),
            'names': [dict(zip(['name', 'table', 'type', 'bytes', 'pages', 'payload', 'unused', 'cells'], r)) for r in names]})
        con.close()
print(json.dumps(out))
`;

/** The SQLite files of the local D1 databases under a `--persist-to` directory. */
export function localD1Files(persistDir) {
  const dir = path.join(persistDir, 'v3/d1/miniflare-D1DatabaseObject');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
    .map((f) => path.join(dir, f));
}

/**
 * `dbstat` of the local D1 database holding the project's events: page size and count, and
 * per table or index its bytes (pages × page size), pages, payload, unused bytes and cells.
 */
export async function shardDbstat(persistDir, projectId) {
  const { stdout } = await promisify(execFile)(
    'python3',
    ['-c', READER, String(projectId), ...localD1Files(persistDir)],
    { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
  );
  const [stat, ...others] = JSON.parse(stdout);
  if (!stat) throw new Error(`no local D1 database holds events of project ${projectId}`);
  if (others.length) throw new Error(`more than one local D1 database holds events of project ${projectId}`);
  return stat;
}
