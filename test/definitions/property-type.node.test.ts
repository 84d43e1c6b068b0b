import { describe, expect, it } from 'vitest';
import { propertyTypeOf } from '../../src/definitions/property-type';

const NOW = Date.parse('2025-06-01T00:00:00Z');
const recentSeconds = NOW / 1000 - 30 * 24 * 3600;
const oldSeconds = NOW / 1000 - 400 * 24 * 3600;

// Cases from PostHog's detect_property_type (rust/property-defs-rs), written out by hand.
const cases: [key: string, value: unknown, expected: string | null][] = [
  ['price', 12.5, 'Numeric'],
  ['count', 0, 'Numeric'],
  ['utm_source', 123, 'String'],
  ['UTM_campaign', true, 'String'],
  ['$feature/new-flow', true, 'String'],
  ['$feature_flag_response', false, 'String'],
  ['$survey_response_2', 5, 'String'],
  ['created_at', recentSeconds, 'DateTime'],
  ['signupTimestamp', recentSeconds, 'DateTime'],
  ['created_at', oldSeconds, 'Numeric'],
  ['amount', recentSeconds, 'Numeric'],
  ['flag', 'true', 'Boolean'],
  ['flag', ' FALSE ', 'Boolean'],
  ['flag', 'True', 'String'],
  ['enabled', false, 'Boolean'],
  ['when', '2024-05-06T10:00:00Z', 'DateTime'],
  ['when', '2024-05-06', 'DateTime'],
  ['when', '06/05/2024 10:00', 'DateTime'],
  ['when', '2024-05', 'String'],
  ['phone', '1234567890', 'String'],
  ['name', 'Ada', 'String'],
  ['nested', { a: 1 }, null],
  ['list', [1, 2], null],
  ['nothing', null, null],
];

describe('propertyTypeOf', () => {
  it.each(cases)('%s = %j is %s', (key, value, expected) => {
    expect(propertyTypeOf(key, value, NOW)).toBe(expected);
  });
});
