import { describe, expect, it } from 'vitest';
import { isIllegalDistinctId } from '../../src/identity';

const illegalIgnoringCase = [
  'anonymous',
  'guest',
  'distinctid',
  'distinct_id',
  'id',
  'not_authenticated',
  'email',
  'undefined',
  'true',
  'false',
];
const illegalExact = [
  '[object Object]',
  'NaN',
  'None',
  'none',
  'null',
  '0',
  'undefined',
  '$posthog_cookieless',
  '$sentinel_cookieless_server_hash',
];

const withQuotes = (ids: string[]) => ids.flatMap((id) => [id, `'${id}'`, `"${id}"`]);

describe('isIllegalDistinctId', () => {
  it.each(withQuotes(illegalIgnoringCase))('%s is illegal', (id) => {
    expect(isIllegalDistinctId(id)).toBe(true);
  });

  it.each(
    withQuotes(illegalIgnoringCase.flatMap((id) => [id.toUpperCase(), id[0]!.toUpperCase() + id.slice(1)])),
  )('%s is illegal (first list ignores case)', (id) => {
    expect(isIllegalDistinctId(id)).toBe(true);
  });

  it.each(withQuotes(illegalExact))('%s is illegal', (id) => {
    expect(isIllegalDistinctId(id)).toBe(true);
  });

  it.each(
    withQuotes(['NULL', 'Null', 'nULL', 'NONE', 'nOne', 'nan', 'Nan', 'NAN', '[object object]', '[OBJECT OBJECT]']),
  )('%s is legal (second list is case-sensitive)', (id) => {
    expect(isIllegalDistinctId(id)).toBe(false);
  });

  it.each([
    '',
    ' ',
    '  ',
    '     ',
    '          ',
    '\t',
    '\n',
    ' \t\n ',
    '\u00a0',
  ])('whitespace-only %j is illegal', (id) => {
    expect(isIllegalDistinctId(id)).toBe(true);
  });

  it.each([
    ' null',
    'null ',
    ' anonymous',
    'guest ',
    ' 0',
    '\tNaN',
  ])('%j is legal: the lists are checked on the untrimmed id', (id) => {
    expect(isIllegalDistinctId(id)).toBe(false);
  });

  it.each([
    `'null`,
    `null'`,
    `"null`,
    `'null"`,
    '`null`',
    '00',
    'anonymous_1',
    'user@example.com',
    'idx',
  ])('%s is legal (not an exact list entry or quoting of one)', (id) => {
    expect(isIllegalDistinctId(id)).toBe(false);
  });

  it.each([
    '0190f3a4-6b1e-7c3d-9a2b-1c2d3e4f5a6b',
    'user-42',
    '42',
    'max@hedgehogmail.com',
  ])('real id %s is legal', (id) => {
    expect(isIllegalDistinctId(id)).toBe(false);
  });
});
