/**
 * One time zone everywhere: list and person pages show times in the project's
 * zone, labelled, as the insights count them (an event at 03:00 UTC is the
 * previous evening in Los Angeles), with the header's switch to local time.
 */
import { expect, it } from 'vitest';
import { api, fetchWorker, newProject, seedEvents, seedPerson, signIn } from '../support';

it("the persons, person and events pages show the project's zone, labelled", async () => {
  const cookie = await signIn();
  const { id: projectId } = await newProject('zoned');
  const patch = await api(`/api/projects/${projectId}/`, {
    method: 'PATCH',
    json: { timezone: 'America/Los_Angeles' },
  });
  expect(patch.status).toBe(200);
  const person = await seedPerson(projectId, { distinctIds: ['la'], properties: { email: 'la@example.com' } });
  await seedEvents(projectId, [
    { event: 'late', distinctId: 'la', personIdAtIngest: person, timestamp: '2024-01-10T03:00:00.000Z' },
  ]);
  for (const path of [`persons/${person}`, 'events?event=late']) {
    const res = await fetchWorker(`/app/projects/${projectId}/${path}`, { headers: { Cookie: cookie } });
    const html = await res.text();
    expect(html, path).toContain('2024-01-09 19:00:00 <span class="tz">PST</span>');
    expect(html, path).not.toContain('2024-01-10 03:00:00');
    expect(html, path).toContain('data-timezone="America/Los_Angeles"');
  }
});
