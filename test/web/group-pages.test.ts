import { describe, expect, it } from 'vitest';
import { ev, ingest, newProject, page, personOf, signIn } from '../support';

describe('web app: groups', () => {
  it("the person page lists the person's groups; the group page shows properties and members' events; user data is text", async () => {
    const p = await newProject();
    const cookie = await signIn();
    const evil = '<script>alert(1)</script>';
    await ingest(p, [
      ev('$identify', 'ada', { $set: { email: 'ada@example.com' } }),
      ev('$groupidentify', 'ada', {
        $group_type: 'company',
        $group_key: 'acme/eu',
        $group_set: { name: 'Acme EU', motto: evil },
      }),
      ev('report_viewed', 'ada', { $groups: { company: 'acme/eu', team: evil } }),
      ev('report_viewed', 'bob', { $groups: { company: 'acme/eu' } }),
      ev('other_company_event', 'carol', { $groups: { company: 'globex' } }),
    ]);
    const ada = await personOf(p.id, 'ada');

    const person = await page(`/app/projects/${p.id}/persons/${ada!.id}`, cookie);
    expect(person.status).toBe(200);
    expect(person.html).toContain('<h2>Groups</h2>');
    expect(person.html).toContain(`/app/projects/${p.id}/groups/0/acme%2Feu`);
    expect(person.html).toContain('Acme EU');
    expect(person.html).toContain(`/app/projects/${p.id}/groups/1/${encodeURIComponent(evil)}`);
    expect(person.html).not.toContain(evil);
    expect(person.html).not.toContain('globex');

    const group = await page(`/app/projects/${p.id}/groups/0/acme%2Feu`, cookie);
    expect(group.status).toBe(200);
    expect(group.html).toContain('Acme EU');
    expect(group.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(group.html).not.toContain(evil);
    // Members' events: ada's and bob's, not carol's.
    expect(group.html.match(/class="event"/g)?.length).toBe(2);
    expect(group.html).toContain('bob');
    expect(group.html).not.toContain('other_company_event');

    // A group only events mention (no $groupidentify): still a page, without properties.
    const team = await page(`/app/projects/${p.id}/groups/1/${encodeURIComponent(evil)}`, cookie);
    expect(team.status).toBe(200);
    expect(team.html).toContain('no $groupidentify has set its properties yet');

    const list = await page(`/app/projects/${p.id}/groups?type=0`, cookie);
    expect(list.status).toBe(200);
    expect(list.html).toContain('acme/eu');
    expect(list.html).not.toContain('globex'); // no $groupidentify: not a group row
    expect((await page(`/app/projects/${p.id}/groups?type=0&q=acme%20eu`, cookie)).html).toContain('acme/eu');

    expect((await page(`/app/projects/${p.id}/groups/0/nope`, cookie)).status).toBe(404);
    expect((await page(`/app/projects/${p.id}/groups/9/acme`, cookie)).status).toBe(404);
  });

  it('the groups page explains how to start when there are no group types', async () => {
    const p = await newProject();
    const { status, html } = await page(`/app/projects/${p.id}/groups`, await signIn());
    expect(status).toBe(200);
    expect(html).toContain('No group types yet');
  });
});
