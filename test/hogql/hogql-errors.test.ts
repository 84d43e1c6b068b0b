// HogQL errors on the query endpoint as PostHog gives them: 400 `{type, code, detail, attr}` with
// PostHog's codes (hogql_syntax_error, hogql_query_error) and, beside `detail`, `start`/`end`: the
// character offsets of the offending text, so a client can underline it.
import { beforeAll, describe, expect, it } from 'vitest';
import { newProject } from '../support';
import { postQuery } from '../query/helpers';

let projectId: number;
beforeAll(async () => {
  projectId = (await newProject('hogql errors')).id;
});

interface ErrorBody {
  type: string;
  code: string;
  detail: string;
  attr: string | null;
  start?: number;
  end?: number;
}

async function refused(query: unknown): Promise<ErrorBody> {
  const res = await postQuery(projectId, { query });
  expect(res.status).toBe(400);
  return (await res.json()) as ErrorBody;
}

describe('HogQL error positions', () => {
  it('points at the offending text of compile errors', async () => {
    for (const [text, offending, words] of [
      ['SELECT hack(1) FROM events', 'hack(1)', 'Unknown function hack'],
      ['SELECT event FROM sqlite_master', 'sqlite_master', 'Unknown table'],
      ["SELECT count() FROM events WHERE properties.x =~ 'a'", "properties.x =~ 'a'", 'regex'],
      ['SELECT e.project_id FROM events e', 'e.project_id', 'Unknown field'],
      ['SELECT 1;', ';', '";" is not allowed'],
    ] as const) {
      const body = await refused({ kind: 'HogQLQuery', query: text });
      expect([text, body.type, body.code, body.attr]).toEqual([
        text,
        'validation_error',
        'hogql_query_error',
        'query.query',
      ]);
      expect(body.detail).toContain(words);
      expect(text.slice(body.start, body.end)).toBe(offending);
    }
  });

  it('points at the token a syntax error stops at', async () => {
    for (const [text, after] of [
      ['SELECT event FROM events WHERE AND 1', 'WHERE'],
      ['SELECT 1; DELETE FROM events', ';'],
      ["SELECT 'unterminated FROM events", "'"],
    ] as const) {
      const body = await refused({ kind: 'HogQLQuery', query: text });
      expect([text, body.code, body.attr]).toEqual([text, 'hogql_syntax_error', 'query.query']);
      expect(body.start).toBeGreaterThanOrEqual(text.indexOf(after));
      expect(body.end).toBeGreaterThanOrEqual(body.start!);
      expect(body.end).toBeLessThanOrEqual(text.length);
    }
  });

  it('places EventsQuery where errors in their own expression', async () => {
    const body = await refused({ kind: 'EventsQuery', select: ['uuid'], where: ['event = 1', "nope(event, 'x')"] });
    expect([body.code, body.attr]).toEqual(['hogql_query_error', 'query.where.1']);
    expect("nope(event, 'x')".slice(body.start, body.end)).toBe("nope(event, 'x')");
  });
});
