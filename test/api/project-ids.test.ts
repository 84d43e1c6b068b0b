// Project ids in paths are read one way only (src/schemas/ids.ts): digits, no sign, spaces, leading
// zeros, hex or exponent. Anything else is no project (404, as PostHog answers an id it cannot read),
// on every REST path, the query endpoint, the environments alias and the web app.
import { describe, expect, it } from 'vitest';
import { parseStrictId } from '../../src/schemas/ids';
import { api, newProject, page, signIn } from '../support';

/** Other spellings of `id` that Number() or parseInt() would read as `id`. */
const spellingsOf = (id: number) => [
  `0x${id.toString(16)}`,
  `%20${id}`,
  `${id}%20`,
  `%09${id}`,
  `${id}e0`,
  `${id}.0`,
  `0${id}`,
  `00${id}`,
  `+${id}`,
  `${id}_`,
  `0b${id.toString(2)}`,
  `0o${id.toString(8)}`,
  `${id}n`,
];

describe('strict project ids', () => {
  it('parseStrictId reads exactly the plain decimal spelling of a safe positive integer', () => {
    for (const [text, id] of [
      ['1', 1],
      ['42', 42],
      ['9007199254740991', 9007199254740991],
    ] as const)
      expect(parseStrictId(text)).toBe(id);
    for (const text of ['0', '-1', '01', ' 1', '1 ', '0x1', '1e0', '1.0', '+1', '', '9007199254740993', '١', '1\n'])
      expect(parseStrictId(text), JSON.stringify(text)).toBeUndefined();
  });

  it('REST paths: the project by its id; any other spelling of it is 404 not_found', async () => {
    const project = await newProject();
    const paths = (id: string) => [
      `/api/projects/${id}/`,
      `/api/projects/${id}/persons/`,
      `/api/projects/${id}/events/`,
      `/api/projects/${id}/ingestion_warnings/`,
      `/api/projects/${id}/groups_types/`,
      `/api/environments/${id}/events/`,
    ];
    for (const path of paths(String(project.id))) expect((await api(path)).status, path).toBe(200);
    for (const spelling of [...spellingsOf(project.id), '0', '-1', '99999999999999999999']) {
      for (const path of paths(spelling)) {
        const res = await api(path);
        expect(res.status, path).toBe(404);
        expect(await res.json(), path).toMatchObject({ code: 'not_found' });
      }
    }
  });

  it('the query endpoint and a PATCH: the same', async () => {
    const project = await newProject();
    const query = { query: { kind: 'EventsQuery', select: ['event'] } };
    expect((await api(`/api/projects/${project.id}/query/`, { method: 'POST', json: query })).status).toBe(200);
    for (const spelling of spellingsOf(project.id)) {
      const res = await api(`/api/projects/${spelling}/query/`, { method: 'POST', json: query });
      expect(res.status, spelling).toBe(404);
      const patch = await api(`/api/projects/${spelling}/`, { method: 'PATCH', json: { name: 'renamed' } });
      expect(patch.status, spelling).toBe(404);
    }
  });

  it('web app: the project page by its id; other spellings are the not-found page', async () => {
    const project = await newProject();
    const cookie = await signIn();
    expect((await page(`/app/projects/${project.id}`, cookie)).status).toBe(200);
    for (const spelling of spellingsOf(project.id)) {
      for (const path of [`/app/projects/${spelling}`, `/app/projects/${spelling}/persons`]) {
        const res = await page(path, cookie);
        expect(res.status, path).toBe(404);
        expect(res.html, path).toContain('No such project.');
      }
    }
  });
});
