import { expect, it } from 'vitest';
import { env, fetchWorker, gzip, newProject, waitForStored } from '../support';
import { sdkEvent } from './sdk-event';
import { projectDatabase } from '../../src/db/shards';

it('session recording uploads (/s/) get {"status": 1}, never a 5xx, and are not stored as events', async () => {
  const project = await newProject('recordings');
  const snapshot = sdkEvent(
    { event: '$snapshot' },
    {
      token: project.api_token,
      $session_id: 's1',
      $window_id: 'w1',
      $snapshot_data: [{ type: 2, data: { node: { id: 1 } }, timestamp: 1 }],
    },
  );
  const bodies: [string, RequestInit][] = [
    [
      '/s/?compression=gzip-js&ver=1.449.2',
      { method: 'POST', body: await gzip(JSON.stringify([snapshot])), headers: { 'Content-Type': 'text/plain' } },
    ],
    ['/ingest/s/', { method: 'POST', body: JSON.stringify({ api_key: project.api_token, batch: [snapshot] }) }],
    ['/s/', { method: 'POST', body: 'not even json' }],
    ['/s/', { method: 'POST', body: new Uint8Array(2_000_000) }],
    ['/s/?beacon=1', { method: 'POST', body: '[]' }],
    ['/s/', { method: 'GET' }],
  ];
  for (const [path, init] of bodies) {
    const res = await fetchWorker(path, init);
    if (path.includes('beacon')) expect(res.status, path).toBe(204);
    else expect(await res.json(), path).toEqual({ status: 1 });
  }
  const preflight = await fetchWorker('/ingest/s/', {
    method: 'OPTIONS',
    headers: { Origin: 'https://shop.test', 'Access-Control-Request-Method': 'POST' },
  });
  expect(preflight.status).toBe(200);
  expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('https://shop.test');

  // A normal event sent afterwards arrives; the snapshot never does.
  const after = sdkEvent({}, { token: project.api_token });
  expect((await fetchWorker('/e/', { method: 'POST', body: JSON.stringify(after) })).status).toBe(200);
  await waitForStored(project.id, [after.uuid]);
  const count = await (await projectDatabase(env, project.id))
    .prepare('SELECT COUNT(*) AS n FROM events WHERE project_id = ?')
    .bind(project.id)
    .first<{ n: number }>();
  expect(count?.n).toBe(1);
});
