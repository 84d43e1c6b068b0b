/** A merged-away person's link leads to the person it lives on as, through a chain of merges, with a note. */
import { expect, it } from 'vitest';
import { fetchWorker, newProject, seedHistory, seedPerson, signIn } from '../support';

it('a merged-away person redirects to the survivor; an unknown one is a 404', async () => {
  const cookie = await signIn();
  const { id: projectId } = await newProject('merged persons');
  const survivor = await seedPerson(projectId, { distinctIds: ['keeps'], properties: { email: 'k@example.com' } });
  const gone = '0190f3c2-7d7a-7000-8000-00000000aaaa';
  const between = '0190f3c2-7d7a-7000-8000-00000000bbbb';
  await seedHistory(projectId, { kind: '$identify', source: gone, target: between, at: '2024-01-01T00:00:00.000Z' });
  await seedHistory(projectId, {
    kind: '$merge_dangerously',
    source: between,
    target: survivor,
    at: '2024-01-02T00:00:00.000Z',
  });
  const res = await fetchWorker(`/app/projects/${projectId}/persons/${gone}`, {
    headers: { Cookie: cookie },
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const location = res.headers.get('Location')!;
  expect(location).toContain(`/persons/${survivor}?merged_from=${gone}`);
  const page = await fetchWorker(location.replace(/^https?:\/\/[^/]+/, ''), { headers: { Cookie: cookie } });
  expect(await page.text()).toContain(`Person ${gone} was merged into this person`);
  const unknown = await fetchWorker(`/app/projects/${projectId}/persons/0190f3c2-7d7a-7000-8000-00000000cccc`, {
    headers: { Cookie: cookie },
  });
  expect(unknown.status).toBe(404);
});
