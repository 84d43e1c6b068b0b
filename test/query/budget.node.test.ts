import { describe, expect, it } from 'vitest';
import { QUERY_BUDGET, QueryBudget, capAnswer } from '../../src/query/budget';
import { QueryError } from '../../src/query/errors';

const limits = (answerBytes: number) => ({ ...QUERY_BUDGET, answerBytes });
const jsonBytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).length;

describe('capAnswer', () => {
  const rows = Array.from({ length: 200 }, (_, i) => [`e-${i}`, 'é'.repeat(i % 7), i]);
  const answer = { columns: ['a', 'b', 'c'], results: rows, hasMore: false };

  it('leaves an answer within the cap as it is', () => {
    expect(capAnswer(answer, limits(jsonBytes(answer)))).toBe(answer);
  });

  it('cuts rows to the longest prefix within the cap (UTF-8 bytes) and says hasMore', () => {
    for (const cap of [100, 1_000, 2_500, jsonBytes(answer) - 1]) {
      const capped = capAnswer(answer, limits(cap));
      expect(jsonBytes(capped)).toBeLessThanOrEqual(cap);
      expect(capped.hasMore).toBe(true);
      // Plain model: the longest prefix of rows whose answer fits.
      let kept = 0;
      while (kept < rows.length && jsonBytes({ ...answer, results: rows.slice(0, kept + 1), hasMore: true }) <= cap)
        kept++;
      expect(capped.results).toEqual(rows.slice(0, kept));
    }
  });

  it('refuses any other answer over the cap', () => {
    const trends = { results: [{ data: Array(1000).fill(1) }] };
    expect(() => capAnswer(trends, limits(100))).toThrow(QueryError);
    try {
      capAnswer(trends, limits(100));
    } catch (error) {
      expect(error).toMatchObject({ status: 400, code: 'query_too_expensive' });
    }
  });
});

describe('QueryBudget', () => {
  it('answers 504 once past the deadline, not before', () => {
    const budget = new QueryBudget({ ...QUERY_BUDGET, deadlineMs: 1_000 }, 10_000);
    expect(() => budget.checkDeadline(11_000)).not.toThrow();
    expect(() => budget.checkDeadline(11_001)).toThrow(expect.objectContaining({ status: 504, code: 'query_timeout' }));
  });

  it('counts regex reads and characters against their limits, naming the filter', () => {
    const budget = new QueryBudget({ ...QUERY_BUDGET, regexScans: 2, regexChars: 10 });
    budget.chargeRegexScan('a');
    budget.chargeRegexScan('b');
    expect(() => budget.chargeRegexScan('c')).toThrow(
      expect.objectContaining({ code: 'query_too_expensive', attr: 'c' }),
    );
    budget.chargeRegexChars(10, 'x');
    expect(() => budget.chargeRegexChars(1, 'y')).toThrow(expect.objectContaining({ attr: 'y' }));
  });
});
