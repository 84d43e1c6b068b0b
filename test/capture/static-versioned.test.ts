import { expect, it } from 'vitest';
import { version } from 'posthog-js/package.json';
import { fetchWorker } from '../support';

it('serves /static/<pinned version>/<name>.js (posthog-js asks for it first) and 404s other versions', async () => {
  for (const prefix of ['', '/ingest']) {
    const plain = await (await fetchWorker(`${prefix}/static/surveys.js`)).text();
    const res = await fetchWorker(`${prefix}/static/${version}/surveys.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('javascript');
    expect(await res.text()).toBe(plain);
    const other = await fetchWorker(`${prefix}/static/0.0.1/surveys.js`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ code: 'not_found' });
  }
});
