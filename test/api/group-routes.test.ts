import { describe, expect, it } from 'vitest';

import { groups } from '../../src/db/schema';
import { groupTypeIndexes } from '../../src/groups/type-mapping';
import { api, env, newProject } from '../support';
import { projectDb } from '../../src/db/shards';

/** The project's shard. */
const dbFor = async (projectId: number) => await projectDb(env, projectId);

async function getJson<T = unknown>(path: string): Promise<T> {
  const res = await api(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

async function seedGroup(
  projectId: number,
  groupTypeIndex: number,
  groupKey: string,
  properties: Record<string, unknown>,
  createdAt: string,
) {
  await (await dbFor(projectId)).insert(groups).values({ projectId, groupTypeIndex, groupKey, properties, createdAt });
}

describe('groups_types', () => {
  it('lists types by index in PostHog shape, and PATCH sets display names', async () => {
    const { id } = await newProject();
    expect(await getJson(`/api/projects/${id}/groups_types/`)).toEqual([]);
    await groupTypeIndexes(await dbFor(id), id, ['company', 'team']);
    const types = await getJson<Record<string, unknown>[]>(`/api/projects/${id}/groups_types/`);
    expect(types).toEqual([
      {
        group_type: 'company',
        group_type_index: 0,
        name_singular: null,
        name_plural: null,
        detail_dashboard: null,
        default_columns: null,
        created_at: expect.any(String),
      },
      {
        group_type: 'team',
        group_type_index: 1,
        name_singular: null,
        name_plural: null,
        detail_dashboard: null,
        default_columns: null,
        created_at: expect.any(String),
      },
    ]);

    const one = await api(`/api/projects/${id}/groups_types/1/`, {
      method: 'PATCH',
      json: { name_singular: 'Squad', name_plural: 'Squads' },
    });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      group_type: 'team',
      group_type_index: 1,
      name_singular: 'Squad',
      name_plural: 'Squads',
    });

    const bulk = await api(`/api/projects/${id}/groups_types/update_metadata/`, {
      method: 'PATCH',
      json: [{ group_type_index: 0, name_plural: 'Organisations' }],
    });
    expect(bulk.status).toBe(200);
    expect(((await bulk.json()) as Record<string, unknown>[]).map((t) => [t.name_singular, t.name_plural])).toEqual([
      [null, 'Organisations'],
      ['Squad', 'Squads'],
    ]);
  });

  it('answers 404 for an unmapped index and 400 for bad input', async () => {
    const { id } = await newProject();
    await groupTypeIndexes(await dbFor(id), id, ['company']);
    expect(
      (await api(`/api/projects/${id}/groups_types/3/`, { method: 'PATCH', json: { name_singular: 'x' } })).status,
    ).toBe(404);
    for (const [path, body, attr] of [
      ['groups_types/7/', { name_singular: 'x' }, 'group_type_index'],
      ['groups_types/0/', { name_singular: 5 }, 'name_singular'],
      ['groups_types/0/', { group_type: 'renamed' }, ''],
      ['groups_types/update_metadata/', [{ name_singular: 'x' }], '0.group_type_index'],
    ] as const) {
      const res = await api(`/api/projects/${id}/${path}`, { method: 'PATCH', json: body });
      expect(res.status, path).toBe(400);
      expect(await res.json()).toMatchObject({ type: 'validation_error', attr: expect.stringContaining(attr) });
    }
    expect((await api(`/api/projects/${id}/groups_types/`, { headers: { Authorization: 'Bearer nope' } })).status).toBe(
      401,
    );
  });
});

describe('groups', () => {
  it('lists one type newest first, searches key and properties, pages with a cursor', async () => {
    const { id } = await newProject();
    for (let i = 0; i < 5; i++) {
      await seedGroup(
        id,
        0,
        `org-${i}`,
        { name: `Org ${i}`, industry: i % 2 ? 'Retail' : 'Software' },
        `2026-01-0${i + 1}T00:00:00.000Z`,
      );
    }
    await seedGroup(id, 1, 'team-1', { name: 'Team' }, '2026-02-01T00:00:00.000Z');

    const all = await getJson<{ results: { group_key: string }[]; next: string | null; previous: string | null }>(
      `/api/projects/${id}/groups/?group_type_index=0`,
    );
    expect(all.results.map((g) => g.group_key)).toEqual(['org-4', 'org-3', 'org-2', 'org-1', 'org-0']);
    expect(all.results[0]).toEqual({
      group_type_index: 0,
      group_key: 'org-4',
      group_properties: { name: 'Org 4', industry: 'Software' },
      created_at: '2026-01-05T00:00:00.000Z',
    });
    expect(all.next).toBeNull();

    const search = async (q: string) =>
      (
        await getJson<{ results: { group_key: string }[] }>(
          `/api/projects/${id}/groups/?group_type_index=0&search=${encodeURIComponent(q)}`,
        )
      ).results.map((g) => g.group_key);
    expect(await search('retail')).toEqual(['org-3', 'org-1']);
    expect(await search('ORG-2')).toEqual(['org-2']);
    expect(await search('%')).toEqual([]);

    const keys: string[] = [];
    let page = await getJson<{ results: { group_key: string }[]; next: string | null }>(
      `/api/projects/${id}/groups/?group_type_index=0&limit=2`,
    );
    keys.push(...page.results.map((g) => g.group_key));
    while (page.next) {
      page = await getJson(pathOf(page.next));
      keys.push(...page.results.map((g) => g.group_key));
    }
    expect(keys).toEqual(['org-4', 'org-3', 'org-2', 'org-1', 'org-0']);
  });

  it('find returns one group or 404', async () => {
    const { id } = await newProject();
    await seedGroup(id, 2, 'acme', { name: 'Acme' }, '2026-01-01T00:00:00.000Z');
    expect(await getJson(`/api/projects/${id}/groups/find/?group_type_index=2&group_key=acme`)).toEqual({
      group_type_index: 2,
      group_key: 'acme',
      group_properties: { name: 'Acme' },
      created_at: '2026-01-01T00:00:00.000Z',
    });
    expect((await api(`/api/projects/${id}/groups/find/?group_type_index=0&group_key=acme`)).status).toBe(404);
    expect((await api(`/api/projects/${id}/groups/find/?group_type_index=2&group_key=ACME`)).status).toBe(404);
  });

  it('answers 400 naming the bad parameter', async () => {
    const { id } = await newProject();
    for (const [query, attr] of [
      ['', 'group_type_index'],
      ['group_type_index=5', 'group_type_index'],
      ['group_type_index=x', 'group_type_index'],
      ['group_type_index=0&cursor=zz', 'cursor'],
    ] as const) {
      const res = await api(`/api/projects/${id}/groups/?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({
        type: 'validation_error',
        attr: expect.stringMatching(new RegExp(`^${attr}`)),
      });
    }
    const find = await api(`/api/projects/${id}/groups/find/?group_type_index=0`);
    expect(find.status).toBe(400);
    expect(await find.json()).toMatchObject({ attr: 'group_key' });
  });
});
