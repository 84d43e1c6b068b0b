/** How the web app names persons and which id a split keeps. */
import { describe, expect, it } from 'vitest';
import { identifiedDistinctId, personTitle, placeholderKind } from '../../src/web/person-names';

const P = 'p-1';
const merge = (event: string, target: string, into = P) => ({
  kind: 'merge',
  targetPersonId: into,
  details: { event, source_distinct_id: 'x', target_distinct_id: target },
});

describe('person names', () => {
  it("PostHog's display name: email, else name, else the identified id", () => {
    expect(personTitle({ email: 'a@x.io', name: 'A' }, ['u1'], P)).toBe('a@x.io');
    expect(personTitle({ name: 'A' }, ['u1'], P)).toBe('A');
    expect(personTitle({}, ['0190f3c2-7d7a-7000-8000-000000000001', 'u1'], P)).toBe('u1');
    expect(personTitle({}, [], P)).toBe(P);
  });

  it('a split keeps the id the person signed in as, also when every id is a UUID', () => {
    const anon = '0190f3c2-7d7a-7000-8000-000000000001';
    const user = '5f0c8a52-1b7e-4b7c-9a39-2f7d1f3e0a11';
    expect(identifiedDistinctId([merge('$identify', user)], P, [anon, user])).toBe(user);
    expect(identifiedDistinctId([merge('$create_alias', anon), merge('$identify', user)], P, [anon, user])).toBe(user);
    // An id the person no longer owns, or a merge into someone else, is not kept.
    expect(identifiedDistinctId([merge('$identify', 'gone')], P, [anon, 'u2'])).toBe('u2');
    expect(identifiedDistinctId([merge('$identify', user, 'other')], P, [anon, user])).toBe(anon);
  });

  it('marks group placeholders and illegal ids, not users', () => {
    expect(placeholderKind(['$company_acme'])).toBe('group placeholder');
    expect(placeholderKind(['undefined'])).toBe('illegal id');
    expect(placeholderKind(['undefined', 'real-user'])).toBeNull();
    expect(placeholderKind(['$company_acme', 'real-user'])).toBeNull();
  });
});
