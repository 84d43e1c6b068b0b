import { describe, expect, it } from 'vitest';
import { insightFormOf, queryOf } from '../../src/web/insight-query';

const formOf = (qs: string) => {
  const p = new URLSearchParams(qs);
  return insightFormOf(
    (n) => p.get(n) ?? undefined,
    (n) => p.getAll(n),
  );
};

describe('insight URL → PostHog query', () => {
  it('trends: series with maths, interval, range, breakdown, display', () => {
    expect(
      queryOf(
        formOf(
          'kind=trends&event=%24pageview&math=dau&event=&math=total&event=buy&math=total&interval=week&date_from=-30d&breakdown=%24browser&display=bar',
        ),
      ),
    ).toEqual({
      query: {
        kind: 'TrendsQuery',
        series: [
          { kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'dau' },
          { kind: 'EventsNode', event: 'buy', name: 'buy', math: 'total' },
        ],
        interval: 'week',
        dateRange: { date_from: '-30d', date_to: null },
        breakdownFilter: { breakdown: '$browser', breakdown_type: 'event' },
        trendsFilter: { display: 'ActionsBar' },
      },
    });
  });

  it('unknown values fall back to defaults; a funnel needs two steps', () => {
    const form = formOf('kind=nope&math=evil&interval=decade&date_from=%27%3Bdrop');
    expect(form).toMatchObject({ kind: 'trends', events: ['$pageview'], maths: [], interval: 'day', dateFrom: '-7d' });
    expect(queryOf(formOf('kind=funnels&event=a'))).toEqual({ missing: expect.stringContaining('two steps') });
    expect(queryOf(formOf('kind=funnels&event=a&event=b&window=3&window_unit=hour'))).toMatchObject({
      query: {
        kind: 'FunnelsQuery',
        series: [{ event: 'a' }, { event: 'b' }],
        funnelsFilter: { funnelWindowInterval: 3, funnelWindowIntervalUnit: 'hour' },
      },
    });
    expect(
      queryOf(formOf('kind=retention&target=signed_up&returning=%24pageview&period=Week&intervals=5')),
    ).toMatchObject({
      query: {
        kind: 'RetentionQuery',
        retentionFilter: {
          targetEntity: { id: 'signed_up' },
          returningEntity: { id: '$pageview' },
          period: 'Week',
          totalIntervals: 5,
          retentionType: 'retention_first_time',
        },
      },
    });
  });
});
