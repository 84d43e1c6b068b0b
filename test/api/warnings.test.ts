import { describe, expect, it } from 'vitest';
import { api, at, getJson, newProject, pathOf, seedWarnings, type PageJson, type WarningJson } from '../support';

type Page = PageJson<WarningJson>;

const warningsPath = (projectId: number, query: Record<string, string> = {}) => {
  const qs = new URLSearchParams(query).toString();
  return `/api/projects/${projectId}/ingestion_warnings/${qs ? `?${qs}` : ''}`;
};

describe('GET ingestion_warnings/', () => {
  it('returns warnings newest first in the documented shape', async () => {
    const { id: projectId } = await newProject();
    const eventUuid = crypto.randomUUID();
    await seedWarnings(projectId, [
      {
        type: 'cannot_merge_already_identified',
        details: { sourcePersonDistinctId: 'a', targetPersonDistinctId: 'b', eventUuid },
        eventUuid,
        timestamp: at(1),
      },
      { type: 'invalid_process_person_profile', details: { value: 'yes' }, eventUuid: null, timestamp: at(2) },
    ]);
    expect(await getJson(warningsPath(projectId))).toEqual({
      results: [
        { type: 'invalid_process_person_profile', details: { value: 'yes' }, timestamp: at(2), event_uuid: null },
        {
          type: 'cannot_merge_already_identified',
          details: { sourcePersonDistinctId: 'a', targetPersonDistinctId: 'b', eventUuid },
          timestamp: at(1),
          event_uuid: eventUuid,
        },
      ],
      next: null,
    });
  });

  it('filters by type and pages with next, also across equal timestamps', async () => {
    const { id: projectId } = await newProject();
    await seedWarnings(projectId, [
      ...Array.from({ length: 5 }, (_, i) => ({
        type: 'cannot_merge_with_illegal_distinct_id',
        details: { n: i },
        timestamp: at(i < 3 ? 1 : i),
      })),
      { type: 'other', details: { n: 99 }, timestamp: at(50) },
    ]);
    const filtered = await getJson<Page>(warningsPath(projectId, { type: 'cannot_merge_with_illegal_distinct_id' }));
    // newest first; equal timestamps: the later-stored first
    expect(filtered.results.map((w) => w.details.n)).toEqual([4, 3, 2, 1, 0]);

    const seen: unknown[] = [];
    let page = await getJson<Page>(
      warningsPath(projectId, { type: 'cannot_merge_with_illegal_distinct_id', limit: '2' }),
    );
    let pages = 1;
    seen.push(...page.results.map((w) => w.details.n));
    while (page.next) {
      expect(new URL(page.next).searchParams.get('type')).toBe('cannot_merge_with_illegal_distinct_id');
      page = await getJson<Page>(pathOf(page.next));
      pages++;
      seen.push(...page.results.map((w) => w.details.n));
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect((await getJson<Page>(warningsPath(projectId, { type: 'nope' }))).results).toEqual([]);
  });

  it('answers 400 naming the bad parameter', async () => {
    const { id: projectId } = await newProject();
    for (const [query, attr] of [
      [{ limit: '-5' }, 'limit'],
      [{ cursor: 'x' }, 'cursor'],
      [{ type: '' }, 'type'],
    ] as const) {
      const res = await api(warningsPath(projectId, query));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: 'validation_error',
        attr: expect.stringMatching(new RegExp(`^${attr}`)),
      });
    }
  });
});
