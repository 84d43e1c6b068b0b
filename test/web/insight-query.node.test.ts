import { describe, expect, it } from 'vitest';
import { insightFormOf, queryOf } from '../../src/web/insight-query';
import { editorSearchOf } from '../../src/web/pages/insights/saved-params';

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

  it('the property filter: PostHog’s {key, value, operator, type} on every kind; a bad field named', () => {
    const filter = '&prop_type=person&key=plan&op=icontains&value=pro';
    for (const kind of ['trends', 'funnels&event=a&event=b', 'retention']) {
      const built = queryOf(formOf(`kind=${kind}${filter}`));
      expect(built).toMatchObject({
        query: { properties: [{ key: 'plan', value: 'pro', operator: 'icontains', type: 'person' }] },
      });
    }
    expect(queryOf(formOf('kind=trends&key=%24browser&op=is_set&value=ignored'))).toMatchObject({
      query: { properties: [{ key: '$browser', operator: 'is_set', type: 'event' }] },
    });
    expect(queryOf(formOf('kind=trends&key=x&op=gt'))).toEqual({ missing: 'value: the operator "gt" needs a value' });
    expect(queryOf(formOf('kind=trends&key=x&op=nope&value=1'))).toEqual({
      missing: expect.stringMatching(/^op: /),
    });
    expect(queryOf(formOf('kind=trends&key=x&prop_type=cohort&value=1'))).toEqual({
      missing: expect.stringMatching(/^prop_type: /),
    });
    expect(queryOf(formOf('kind=trends&op=gt'))).not.toHaveProperty('query.properties');
  });

  it('a saved query with the form’s property filter opens in the form again', () => {
    for (const search of [
      'kind=trends&event=%24pageview&math=dau&interval=day&date_from=-7d&prop_type=event&key=%24browser&op=exact&value=Chrome&display=line',
      'kind=retention&target=a&returning=b&period=Week&intervals=4&retention_type=retention_first_time&prop_type=person&key=plan&op=is_set',
    ]) {
      const built = queryOf(formOf(search));
      if (!('query' in built)) throw new Error(built.missing);
      const reopened = editorSearchOf(built.query);
      expect(reopened).toBeDefined();
      expect(queryOf(formOf(reopened!))).toEqual(built);
    }
  });
});
