import { describe, expect, it } from 'vitest';
import { uuidFromDistinctId } from '../../src/identity';

describe('uuidFromDistinctId', () => {
  it.each([
    [1, 'test', '246f7a43-5507-564f-b687-793ee3c2dd79'],
    [2, 'test', '00ce873a-549c-548e-bbec-cc804a385dd8'],
    [1, 'test2', '45c17302-ee44-5596-916a-0eba21f4b638'],
  ])('project %i, distinct id %s gives the spec vector %s', (projectId, distinctId, expected) => {
    expect(uuidFromDistinctId(projectId, distinctId)).toBe(expected);
  });

  it('is stable for the same input and a version 5 uuid', () => {
    const a = uuidFromDistinctId(7, 'anon-123');
    expect(uuidFromDistinctId(7, 'anon-123')).toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('separates projects and ids that would collide without the ":"-joined key', () => {
    expect(uuidFromDistinctId(1, '1:x')).not.toBe(uuidFromDistinctId(11, 'x'));
    expect(uuidFromDistinctId(1, 'x')).not.toBe(uuidFromDistinctId(2, 'x'));
  });
});

describe('uuidFromDistinctId on ill-formed strings', () => {
  it('does not throw on a lone surrogate, and matches its U+FFFD replacement', () => {
    expect(uuidFromDistinctId(1, 'd\udfff')).toBe(uuidFromDistinctId(1, 'd\ufffd'));
    expect(uuidFromDistinctId(1, 'é😀')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
