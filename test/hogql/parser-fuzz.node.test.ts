import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HogQLSyntaxError, parseExpr, parseSelect } from '../../src/hogql/parser';
import { CORPUS } from './corpus';

// Every node of a tree, for checks that hold throughout.
function* nodes(value: unknown): Generator<{ kind: string; start: number; end: number }> {
  if (Array.isArray(value)) {
    for (const item of value) yield* nodes(item);
  } else if (value !== null && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (typeof node.kind === 'string') yield node as { kind: string; start: number; end: number };
    for (const child of Object.values(node)) yield* nodes(child);
  }
}

const VOCABULARY = [
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP BY',
  'ORDER BY',
  'LIMIT',
  'OFFSET',
  'UNION ALL',
  'WITH',
  'AS',
  'JOIN',
  'LEFT JOIN',
  'ON',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'BETWEEN',
  'IS',
  'NULL',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'INTERVAL',
  'DAY',
  'DISTINCT',
  'events',
  'e',
  'properties.$browser',
  '`q`',
  '"d"',
  "'s'",
  "'it''s'",
  '1',
  '2.5',
  '.5',
  '0x1F',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  '*',
  '+',
  '-',
  '/',
  '%',
  '=',
  '!=',
  '<',
  '>=',
  '||',
  '??',
  '?',
  ':',
  '->',
  '::',
  ';',
  'count()',
  'f(',
  'quantile(0.9)(',
  '--',
  '/*',
  '*/',
  '\n',
  'é',
  '🎉',
];

describe('HogQL parser: fuzzing', () => {
  // Any text either parses, with every node's span inside the text, or throws a HogQLSyntaxError.
  function check(text: string, parse: (text: string) => unknown): void {
    try {
      const tree = parse(text);
      for (const node of nodes(tree)) {
        expect(node.start).toBeGreaterThanOrEqual(0);
        expect(node.end).toBeGreaterThanOrEqual(node.start);
        expect(node.end).toBeLessThanOrEqual(text.length);
      }
    } catch (error) {
      if (!(error instanceof HogQLSyntaxError)) throw error;
      expect(error.start).toBeGreaterThanOrEqual(0);
      expect(error.end).toBeLessThanOrEqual(text.length);
    }
  }

  it('random strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        check(text, parseSelect);
        check(text, parseExpr);
      }),
      { numRuns: 1_000 },
    );
  }, 30_000);

  it('random sequences of HogQL words', () => {
    const soup = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 60 }).map((words) => words.join(' '));
    fc.assert(
      fc.property(soup, fc.boolean(), (text, asSelect) =>
        check(asSelect ? `SELECT ${text}` : text, asSelect ? parseSelect : parseExpr),
      ),
      { numRuns: 2_000 },
    );
  }, 30_000);

  it('corpus queries with characters cut out or pasted in', () => {
    const edit = fc.tuple(
      fc.constantFrom(...CORPUS),
      fc.array(
        fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('', '(', ')', "'", '`', ',', ' AND ', '\\', '/*')),
        {
          maxLength: 4,
        },
      ),
    );
    fc.assert(
      fc.property(edit, ([query, edits]) => {
        let text = query;
        for (const [at, cut, paste] of edits) {
          const pos = at % (text.length + 1);
          text = text.slice(0, pos) + paste + text.slice(pos + cut);
        }
        check(text, parseSelect);
      }),
      { numRuns: 2_000 },
    );
  }, 30_000);
});
