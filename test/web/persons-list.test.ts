/**
 * The persons list: each person headed by PostHog's display name (email, else
 * name, else the identified distinct id), found by email, name or any id;
 * groupIdentify placeholders and illegal-id persons marked, not mixed silently
 * among users.
 */
import { expect, it } from 'vitest';
import { fetchWorker, newProject, seedPerson, signIn } from '../support';

it('heads, finds and marks persons as PostHog users expect', async () => {
  const cookie = await signIn();
  const { id: projectId } = await newProject('persons list');
  const ada = await seedPerson(projectId, {
    distinctIds: ['0190f3c2-7d7a-7000-8000-000000000001', 'ada-id'],
    properties: { email: 'ada@example.com' },
  });
  const bo = await seedPerson(projectId, { distinctIds: ['bo-id'], properties: { name: 'Bo Diddley' } });
  const company = await seedPerson(projectId, { distinctIds: ['$company_acme'], properties: {} });
  const illegal = await seedPerson(projectId, { distinctIds: ['undefined'], properties: {} });
  const list = async (q = '') =>
    (
      await fetchWorker(`/app/projects/${projectId}/persons${q ? `?q=${encodeURIComponent(q)}` : ''}`, {
        headers: { Cookie: cookie },
      })
    ).text();
  const row = (html: string, id: string) => new RegExp(`/persons/${id}"[^>]*>([^<]*)</a>(.*?)</tr>`, 's').exec(html);
  const all = await list();
  expect(row(all, ada)![1]).toBe('ada@example.com');
  expect(row(all, bo)![1]).toBe('Bo Diddley');
  expect(row(all, company)![2]).toContain('group placeholder');
  expect(row(all, illegal)![2]).toContain('illegal id');
  expect(row(all, ada)![2]).not.toContain('placeholder');
  for (const [q, id] of [
    ['diddley', bo],
    ['ADA@EX', ada],
    ['ada-id', ada],
    [bo, bo],
  ] as const) {
    const html = await list(q);
    const found = [...html.matchAll(/\/persons\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(found, q).toEqual([id]);
  }
});
