/** ActorsQuery's refusals: each a 400 naming the field, never a silent answer. */
import { beforeAll, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery } from './helpers';

let projectId: number;

beforeAll(async () => {
  projectId = (await newProject('actors errors')).id;
});

const trends = { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview' }] };
const cases: [string, unknown, string][] = [
  [
    'a day outside the range',
    { source: { kind: 'InsightActorsQuery', source: trends, day: '2020-01-01' } },
    'query.source.day',
  ],
  [
    'a series that is not there',
    { source: { kind: 'InsightActorsQuery', source: trends, series: 3 } },
    'query.source.series',
  ],
  [
    'a breakdown without one',
    { source: { kind: 'InsightActorsQuery', source: trends, breakdown: 'x' } },
    'query.source.breakdown',
  ],
  [
    'previous without compare',
    { source: { kind: 'InsightActorsQuery', source: trends, compare: 'previous' } },
    'query.source.compare',
  ],
  [
    'appearances of a trend',
    { source: { kind: 'InsightActorsQuery', source: trends }, select: ['appearances'] },
    'query.select.0',
  ],
  [
    'an unknown column',
    { source: { kind: 'InsightActorsQuery', source: trends }, select: ['sum(x)'] },
    'query.select.0',
  ],
  [
    'recordings',
    { source: { kind: 'InsightActorsQuery', source: trends, includeRecordings: true } },
    'query.source.includeRecordings',
  ],
  [
    'properties',
    { source: { kind: 'InsightActorsQuery', source: trends }, properties: [{ key: 'a', value: 'b' }] },
    'query.properties',
  ],
];
for (const [name, body, attr] of cases) {
  it(`${name}: 400 naming ${attr}`, async () => {
    const res = await postQuery(projectId, { query: { kind: 'ActorsQuery', ...(body as object) } });
    const json = (await res.json()) as { attr: string };
    expect(res.status).toBe(400);
    expect(json.attr).toBe(attr);
  });
}

it('a funnel step beyond the funnel', async () => {
  const res = await postQuery(projectId, {
    query: {
      kind: 'ActorsQuery',
      source: {
        kind: 'FunnelsActorsQuery',
        funnelStep: 4,
        source: { kind: 'FunnelsQuery', series: [{ event: 'a' }, { event: 'b' }] },
      },
    },
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { attr: string }).attr).toBe('query.source.funnelStep');
});
