/**
 * A property's type from one of its values, as PostHog's ingestion detects it
 * (rust/property-defs-rs `detect_property_type`): special key prefixes are
 * always strings, numbers under a time-like key from the last six months are
 * timestamps, "true"/"false" strings are booleans, date-like strings are
 * DateTime. Objects, arrays and null have no type (the next value decides).
 */
export const PROPERTY_TYPES = ['String', 'Numeric', 'Boolean', 'DateTime'] as const;
export type PropertyType = (typeof PROPERTY_TYPES)[number];

const ALWAYS_STRING_PREFIXES = ['utm_', '$feature/', '$survey_response'];
const DATE_KEY_WORDS = ['time', 'timestamp', 'date', '_at', '-at', 'createdat', 'updatedat'];
const SIX_MONTHS_SECONDS = 182.5 * 24 * 3600;

/** What ClickHouse's parseDateTime64BestEffort takes in practice: a date (Y-M-D or D-M-Y), maybe a time. */
const DATE_LIKE = new RegExp(
  [
    /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})/,
    /([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/,
  ]
    .map((r) => r.source)
    .join(''),
  'i',
);

export function propertyTypeOf(key: string, value: unknown, nowMs: number): PropertyType | null {
  const lowerKey = key.toLowerCase();
  if (ALWAYS_STRING_PREFIXES.some((prefix) => lowerKey.startsWith(prefix))) return 'String';
  if (lowerKey === '$feature_flag_response') return 'String';
  if (typeof value === 'number') {
    const timeLike = DATE_KEY_WORDS.some((word) => lowerKey.includes(word));
    return timeLike && value >= nowMs / 1000 - SIX_MONTHS_SECONDS ? 'DateTime' : 'Numeric';
  }
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (['true', 'TRUE', 'false', 'FALSE'].includes(trimmed)) return 'Boolean';
  if (trimmed.length >= 10 && DATE_LIKE.test(trimmed) && Number.isNaN(Number(trimmed))) return 'DateTime';
  return 'String';
}
