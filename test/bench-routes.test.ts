import { expect, it } from 'vitest';
import { fetchWorker, newProject } from './helpers';

it('keeps the bench-only routes closed unless BENCH_ROUTES is "true"', async () => {
  const p = await newProject();
  const requests: [string, RequestInit][] = [
    ['/_bench/noop', { method: 'POST', body: '{}' }],
    ['/_bench/plain-insert', { method: 'POST', body: JSON.stringify({ project_id: p.id, rows: [] }) }],
    ['/_bench/seed-persons', { method: 'POST', body: JSON.stringify({ project_id: p.id, count: 10 }) }],
    [`/_bench/counts?project_id=${p.id}`, {}],
  ];
  for (const [path, init] of requests) {
    const res = await fetchWorker(path, init);
    expect(res.status, path).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not_found' });
  }
});
