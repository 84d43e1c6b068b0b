import { describe, expect, it } from 'vitest';
import { personProcessingOf, storedEventProperties, withoutPersonUpdates } from '../../src/identity';
import { eventOf } from '../support/events';

describe('personProcessingOf (spec §4)', () => {
  it('processes persons when the flag is absent', () => {
    expect(personProcessingOf(eventOf())).toEqual({ processPerson: true, drop: false, warnings: [] });
  });

  it('processes persons when the flag is true', () => {
    const e = eventOf({ properties: { $process_person_profile: true } });
    expect(personProcessingOf(e)).toEqual({ processPerson: true, drop: false, warnings: [] });
  });

  it('false: no person processing, event kept', () => {
    const e = eventOf({ event: '$pageview', properties: { $process_person_profile: false } });
    expect(personProcessingOf(e)).toEqual({ processPerson: false, drop: false, warnings: [] });
  });

  it.each([
    ['false', 'false'],
    [0, '0'],
    [1, '1'],
    [null, 'null'],
    ['true', 'true'],
  ])('non-boolean %j is treated as true with a warning', (value, shown) => {
    const e = eventOf({ uuid: 'e-1', properties: { $process_person_profile: value } });
    expect(personProcessingOf(e)).toEqual({
      processPerson: true,
      drop: false,
      warnings: [
        { type: 'invalid_process_person_profile', details: { processPersonProfile: shown, eventUuid: 'e-1' } },
      ],
    });
  });

  it.each([
    '$identify',
    '$create_alias',
    '$merge_dangerously',
    '$groupidentify',
  ])('%s with the flag false is dropped with a warning', (event) => {
    const e = eventOf({ uuid: 'e-2', event, distinct_id: 'anon-9', properties: { $process_person_profile: false } });
    expect(personProcessingOf(e)).toEqual({
      processPerson: false,
      drop: true,
      warnings: [
        {
          type: 'invalid_event_when_process_person_profile_is_false',
          details: { event, distinctId: 'anon-9', eventUuid: 'e-2' },
        },
      ],
    });
  });

  it.each([
    '$exception',
    '$$heatmap',
  ])('%s never updates persons (PostHog NO_PERSON_UPDATE_EVENTS): stored person-less', (event) => {
    expect(personProcessingOf(eventOf({ event, properties: { $set: { a: 1 } } }))).toEqual({
      processPerson: false,
      drop: false,
      warnings: [],
    });
    expect(personProcessingOf(eventOf({ event, properties: { $process_person_profile: true } }))).toMatchObject({
      processPerson: false,
      drop: false,
    });
  });

  it('$$client_ingestion_warning becomes a client_ingestion_warning carrying its message, not an event', () => {
    const e = eventOf({
      uuid: 'e-3',
      event: '$$client_ingestion_warning',
      distinct_id: 'anon-3',
      properties: { $$client_ingestion_warning_message: 'posthog-js: x', $process_person_profile: false },
    });
    expect(personProcessingOf(e)).toEqual({
      processPerson: false,
      drop: true,
      warnings: [
        {
          type: 'client_ingestion_warning',
          details: {
            eventUuid: 'e-3',
            event: '$$client_ingestion_warning',
            distinctId: 'anon-3',
            message: 'posthog-js: x',
          },
        },
      ],
    });
  });

  it.each(['$identify', '$groupidentify'])('%s with a non-boolean flag is kept and processed', (event) => {
    const result = personProcessingOf(eventOf({ event, properties: { $process_person_profile: 'no' } }));
    expect(result).toMatchObject({ processPerson: true, drop: false });
  });
});

describe('withoutPersonUpdates (spec §4)', () => {
  it('drops $set, $set_once and $unset at top level and inside properties, keeping the rest', () => {
    const e = {
      ...eventOf({
        event: 'clicked',
        properties: {
          $process_person_profile: false,
          $set: { a: 1 },
          $set_once: { b: 2 },
          $unset: ['c'],
          button: 'buy',
        },
        $set: { a: 1 },
        $set_once: { b: 2 },
      }),
      $unset: ['c'],
    };
    const stripped = withoutPersonUpdates(e);
    // Strict: the dropped keys are gone, not left as undefined.
    expect(stripped).toStrictEqual(
      eventOf({ event: 'clicked', properties: { $process_person_profile: false, button: 'buy' } }),
    );
    expect(e.properties).toHaveProperty('$set');
  });
});

describe('storedEventProperties', () => {
  it('folds top-level $set / $set_once into properties, top level winning per key', () => {
    const e = eventOf({
      properties: { $set: { a: 'props', b: 'props' }, $set_once: { c: 'props' }, x: 1 },
      $set: { a: 'top' },
      $set_once: { c: 'top', d: 'top' },
    });
    expect(storedEventProperties(e)).toEqual({
      $set: { a: 'top', b: 'props' },
      $set_once: { c: 'top', d: 'top' },
      x: 1,
    });
  });

  it('adds properties.$set when only the top level has one', () => {
    expect(storedEventProperties(eventOf({ properties: { x: 1 }, $set: { a: 1 } }))).toEqual({ x: 1, $set: { a: 1 } });
  });

  it('leaves properties as sent when there is no top-level object', () => {
    const properties = { $set: { a: 1 }, $set_once: 'odd', x: 1 };
    expect(storedEventProperties(eventOf({ properties, $set: 'not an object' }))).toEqual(properties);
  });

  it('does not mutate the event', () => {
    const e = eventOf({ properties: { $set: { a: 1 } }, $set: { b: 2 } });
    storedEventProperties(e);
    expect(e.properties).toEqual({ $set: { a: 1 } });
  });
});
