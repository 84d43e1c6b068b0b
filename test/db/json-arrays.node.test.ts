import { expect, it } from 'vitest';
import { jsonArrays } from '../../src/db/chunk';

it('splits a list into JSON arrays within the size given, keeping every value once and in order', () => {
  const values = Array.from({ length: 1000 }, (_, i) => ({ i, text: 'é"\\'.repeat(i % 7) }));
  const arrays = jsonArrays(
    values.map((v) => JSON.stringify(v)),
    2_000,
  );
  expect(arrays.length).toBeGreaterThan(10);
  for (const array of arrays) expect(array.length).toBeLessThanOrEqual(2_000);
  expect(arrays.flatMap((a) => JSON.parse(a))).toEqual(values);
});

it('gives a value larger than the size an array of its own, and nothing for no values', () => {
  const big = JSON.stringify('x'.repeat(5_000));
  expect(jsonArrays(['1', big, '2'], 2_000)).toEqual(['[1]', `[${big}]`, '[2]']);
  expect(jsonArrays([])).toEqual([]);
});
