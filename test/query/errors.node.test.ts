import { expect, it } from 'vitest';
import { isTimeLimitError } from '../../src/query/errors';

it('recognises D1 running out of time (504, the Worker keeps serving) apart from other errors', () => {
  for (const message of [
    "D1_ERROR: D1 DB's storage operation exceeded timeout which caused object to be reset.",
    'D1_ERROR: D1 DB is overloaded. Requests queued for too long.',
    'D1_ERROR: interrupted',
  ]) {
    expect(isTimeLimitError(new Error(message)), message).toBe(true);
  }
  expect(isTimeLimitError(new Error('D1_ERROR: no such column: x'))).toBe(false);
});
