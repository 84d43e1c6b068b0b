// The local acceptance journal (src/queue/journal.ts): with LOCAL_ACCEPT_JOURNAL on, what capture
// accepted stays in `accepted_messages` until stored, and a restart sends what is left again. The
// kill itself (wrangler dev's process group, mid-load) is test/e2e/durable-acceptance.test.ts.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { dbOf } from '../../src/db/client';
import { projectDatabase } from '../../src/db/shards';
import worker from '../../src/index';
import { journalAccepted, resendAccepted } from '../../src/queue/journal';
import type { IngestMessage } from '../../src/queue/message';
import { BASE, countProjectRows, env, ev, eventually, newProject, storedUuids, waitForStored } from '../support';

const journalOn = { ...env, LOCAL_ACCEPT_JOURNAL: 'on' };

async function captureWithJournal(token: string, batch: unknown[]): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`${BASE}/batch/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ api_key: token, batch }),
    }),
    journalOn,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const journalRows = (projectId: number) =>
  countProjectRows(projectId, 'SELECT COUNT(*) AS n FROM accepted_messages WHERE project_id = ?', projectId);

describe('local acceptance journal', () => {
  it('capture journals each accepted message; the consumer deletes its row once the events are stored', async () => {
    const project = await newProject();
    const events = Array.from({ length: 30 }, (_, i) => ev('$pageview', `journal-user-${i % 4}`));
    const res = await captureWithJournal(project.api_token, events);
    expect(res.status).toBe(200);
    await waitForStored(
      project.id,
      events.map((e) => e.uuid),
    );
    await eventually('journal rows deleted', async () => expect(await journalRows(project.id)).toBe(0));
  });

  it('without the setting capture writes nothing to the journal', async () => {
    const project = await newProject();
    const e = ev('$pageview', 'no-journal');
    const ctx = createExecutionContext();
    const body = JSON.stringify({ api_key: project.api_token, batch: [e] });
    await worker.fetch(new Request(`${BASE}/batch/`, { method: 'POST', body }), env, ctx);
    await waitOnExecutionContext(ctx);
    await waitForStored(project.id, [e.uuid]);
    expect(await journalRows(project.id)).toBe(0);
  });

  it('messages journaled but lost with the process are sent again, stored once, and their rows deleted', async () => {
    const project = await newProject();
    const db = dbOf(await projectDatabase(env, project.id));
    // What a killed `wrangler dev` leaves: journal rows whose messages never reached a consumer.
    const live = Array.from({ length: 40 }, (_, i) => ev('$pageview', `lost-${i % 5}`));
    const imported = Array.from({ length: 10 }, (_, i) => ev('imported', `import-${i % 2}`));
    const messages: IngestMessage[] = [
      { projectId: project.id, events: live.slice(0, 20) },
      { projectId: project.id, events: live.slice(20) },
    ];
    await journalAccepted(db, { queueName: 'ingest' }, messages, Date.now() - 1000);
    await journalAccepted(db, { queueName: 'ingest-historical' }, [{ projectId: project.id, events: imported }]);
    // One of them also reached the queue before the kill: sent twice, stored once.
    await env.INGEST_QUEUE.send(messages[0]!);
    expect(await journalRows(project.id)).toBe(3);
    const all = [...live, ...imported].map((e) => e.uuid);
    expect((await storedUuids(project.id, all)).size).toBeLessThan(all.length);

    // Rows accepted after the cut-off (this process's own) are not sent again.
    expect(await resendAccepted(env, Date.now() - 500)).toBeGreaterThanOrEqual(2);
    await waitForStored(
      project.id,
      live.map((e) => e.uuid),
    );
    expect(
      await storedUuids(
        project.id,
        imported.map((e) => e.uuid),
      ),
    ).toEqual(new Set());
    await resendAccepted(env, Date.now() + 1);
    await waitForStored(project.id, all);
    await eventually('journal rows deleted', async () => expect(await journalRows(project.id)).toBe(0));
    expect(
      await countProjectRows(project.id, 'SELECT COUNT(*) AS n FROM events WHERE project_id = ?', project.id),
    ).toBe(all.length);
  });

  it('a message sent five times and still not stored is sent no more', async () => {
    const project = await newProject();
    const db = dbOf(await projectDatabase(env, project.id));
    // Its row says it was sent five times already (as when its events keep failing).
    await journalAccepted(db, { queueName: 'ingest' }, [{ projectId: project.id, events: [ev('x', 'capped')] }], 0);
    await db.$client.prepare('UPDATE accepted_messages SET sends = 5 WHERE project_id = ?').bind(project.id).run();
    const before = Date.now() + 1;
    await resendAccepted(env, before);
    expect(await journalRows(project.id)).toBe(1);
    const row = await db.$client
      .prepare('SELECT sends FROM accepted_messages WHERE project_id = ?')
      .bind(project.id)
      .first<{ sends: number }>();
    expect(row?.sends).toBe(5);
  });
});
