// The HogQL compiler in plain Node (no D1): the SQL and parameters it produces for representative queries,
// which plan a query takes, that no identifier or literal of the text reaches the SQL, and its refusals.
// What the SQL answers is tested against the model in workerd (test/query/hogql-query.test.ts, fast-plans.test.ts).
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CompiledQuery, compileQuery } from '../../src/hogql/compile';
import { HogQLCompileError } from '../../src/hogql/compile-types';
import { HogQLSyntaxError, parseSelect } from '../../src/hogql/parser';
import { printIdentifier, printString } from '../../src/hogql/print';

const dialect = new SQLiteSyncDialect();
const NOW = Date.UTC(2024, 5, 30, 12);

function compile(text: string, timezone = 'UTC', values?: Record<string, string | number>) {
  const compiled: CompiledQuery = compileQuery(parseSelect(text), { projectId: 7, timezone, now: NOW, values });
  const { sql, params } = dialect.sqlToQuery(compiled.sql);
  // Newlines and their indentation come from the compiler's templates, never from a literal (they are bound).
  return { sql: sql.replace(/\n[ \t]*/g, ' '), params, compiled };
}

/** The SQL with its string literals taken out: what is left is keywords, generated names and `?`. */
const outsideLiterals = (sql: string) => sql.replace(/'(?:[^']|'')*'/g, "''");
const literalsOf = (sql: string) => sql.match(/'(?:[^']|'')*'/g) ?? [];

function refusal(text: string): HogQLCompileError | HogQLSyntaxError {
  try {
    compile(text);
  } catch (error) {
    if (error instanceof HogQLCompileError || error instanceof HogQLSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be refused`);
}

describe('HogQL compiler: the SQL of representative queries', () => {
  it('counts events by name: one statement, the project filter first, every literal bound', () => {
    const { sql, params, compiled } = compile(
      "SELECT event, count() AS c FROM events WHERE event IN ('a', 'b') AND properties.$browser = 'Chrome' GROUP BY event ORDER BY c DESC LIMIT 5",
    );
    expect(sql).toBe(
      'SELECT e.event AS c0, count(*) AS c1 FROM events AS e WHERE e.project_id = ? AND ' +
        '((e.event IN (SELECT value FROM json_each(?))) AND ' +
        `((CASE json_type(e.properties, '$."$browser"') WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN NULL ` +
        `ELSE CAST(json_extract(e.properties, '$."$browser"') AS TEXT) END) = ?)) GROUP BY e.event ORDER BY c1 DESC LIMIT 5`,
    );
    expect(params).toEqual([7, '["a","b"]', 'Chrome']);
    expect(compiled.columns.map((c) => [c.name, c.type])).toEqual([
      ['event', 'String'],
      ['c', 'UInt'],
    ]);
    expect([compiled.limit, compiled.paged]).toEqual([5, false]);
  });

  it("asks one row more than PostHog's default limit when the query has none", () => {
    const { sql, compiled } = compile('SELECT uuid FROM events');
    expect(sql).toBe('SELECT e.uuid AS c0 FROM events AS e WHERE e.project_id = ? LIMIT 101');
    expect([compiled.limit, compiled.offset, compiled.paged]).toEqual([100, 0, true]);
    expect(compiled.hogql).toBe('SELECT uuid FROM events LIMIT 100');
    expect(compile('SELECT uuid FROM events LIMIT 1000000').compiled.limit).toBe(50_000);
  });

  it('groups daily unique persons by distinct id first, then looks each one up (the dau plan)', () => {
    const { sql, params } = compile(
      "SELECT toStartOfDay(timestamp) AS day, count(DISTINCT person_id) AS dau FROM events WHERE event = '$pageview' AND timestamp >= '2024-06-01' GROUP BY day ORDER BY day",
    );
    expect(sql).toBe(
      'SELECT s.g0 AS c0, count(DISTINCT COALESCE(m.person_id, s.person_id_at_ingest)) AS c1 FROM (' +
        "SELECT e.distinct_id AS distinct_id, e.person_id_at_ingest AS person_id_at_ingest, (substr(e.timestamp, 1, 10) || 'T00:00:00.000Z') AS g0 " +
        'FROM events AS e WHERE e.project_id = ? AND (e.event = ?) AND (e.timestamp >= ?) GROUP BY 1, 2, 3) AS s ' +
        'LEFT JOIN person_distinct_ids m ON m.project_id = ? AND m.distinct_id = s.distinct_id ' +
        'GROUP BY s.g0 ORDER BY c0 ASC LIMIT 101',
    );
    expect(params).toEqual([7, '$pageview', '2024-06-01T00:00:00.000Z', 7]);
  });

  it('applies person-level WHERE and keys after the lookup, and joins the person row only then', () => {
    const { sql } = compile(
      "SELECT person.properties.plan AS plan, uniq(person_id) FROM events WHERE person.properties.plan != 'free' AND event = 'x' GROUP BY plan",
    );
    expect(sql).toMatch(
      /^SELECT \(CASE json_type\(p\.properties.*FROM \(SELECT e\.distinct_id AS distinct_id, e\.person_id_at_ingest AS person_id_at_ingest FROM events AS e WHERE e\.project_id = \? AND \(e\.event = \?\) GROUP BY 1, 2\) AS s LEFT JOIN person_distinct_ids m .* LEFT JOIN persons p ON p\.id = COALESCE\(m\.person_id, s\.person_id_at_ingest\) .* WHERE \(\(CASE json_type\(p\.properties/,
    );
  });

  it('compiles other shapes as written: each event joined to its current person', () => {
    for (const text of [
      'SELECT toStartOfDay(timestamp) AS day, count(DISTINCT person_id), count() FROM events GROUP BY day',
      'SELECT person_id, count() FROM events GROUP BY person_id',
      'SELECT uniq(person_id) FROM events WHERE person_id IN (SELECT person_id FROM events)',
    ]) {
      const { sql } = compile(text);
      expect(sql, text).toContain(
        'FROM events AS e LEFT JOIN person_distinct_ids m ON m.project_id = e.project_id AND m.distinct_id = e.distinct_id',
      );
      expect(sql, text).not.toContain('GROUP BY 1, 2');
    }
  });

  it('buckets by wall time in a zone with an offset CASE over the Intl transitions', () => {
    const { sql } = compile('SELECT toStartOfDay(timestamp) FROM events', 'Europe/Berlin');
    expect(sql).not.toContain('substr(e.timestamp, 1, 10)');
    expect(sql).toMatch(/CASE WHEN tz_v < '[-0-9: .]+' THEN '-(60|120) minutes'/);
  });

  it('binds {name} placeholders from values', () => {
    const { sql, params } = compile('SELECT count() FROM events WHERE event = {ev} LIMIT {n}', 'UTC', {
      ev: "x'); DROP TABLE events; --",
      n: 3,
    });
    expect(sql).toBe('SELECT count(*) AS c0 FROM events AS e WHERE e.project_id = ? AND (e.event = ?) LIMIT 3');
    expect(params).toEqual([7, "x'); DROP TABLE events; --"]);
  });
});

describe('HogQL compiler: no text of the query reaches the SQL', () => {
  const text = fc.string({ unit: 'grapheme', minLength: 0, maxLength: 12 });
  it('literals are bound; names are generated; property keys only inside a quoted JSON path or bound', () => {
    fc.assert(
      fc.property(text, text, text, (lit, key, alias) => {
        const literal = `zQl${lit}`;
        const keyName = `zQk${key}`;
        const aliasName = `zQa${alias}`;
        const query =
          `SELECT properties.${printIdentifier(keyName)} AS ${printIdentifier(aliasName)}, count() FROM events ` +
          `WHERE event = ${printString(literal)} OR person.properties.${printIdentifier(keyName)} = ${printString(literal)} GROUP BY 1`;
        let out: ReturnType<typeof compile>;
        try {
          out = compile(query);
        } catch (error) {
          if (error instanceof HogQLCompileError || error instanceof HogQLSyntaxError) return;
          throw error;
        }
        expect(outsideLiterals(out.sql)).not.toMatch(/zQ/);
        for (const l of literalsOf(out.sql).filter((l) => l.includes('zQ')))
          expect(l).toBe(`'$."${keyName.replace(/'/g, "''")}"'`);
        expect(out.sql).not.toContain('zQl');
        expect(out.params).toContain(literal);
        expect(out.compiled.columns[0]!.name).toBe(aliasName);
      }),
      { numRuns: 500 },
    );
  });
});

describe('HogQL compiler: refusals', () => {
  it.each([
    ['SELECT * FROM person_distinct_ids', 'Unknown table', 'person_distinct_ids'],
    ['SELECT * FROM sqlite_master', 'Unknown table', 'sqlite_master'],
    ['SELECT hack(1) FROM events', 'Unknown function hack', 'hack(1)'],
    ["SELECT count() FROM events WHERE event =~ 'a'", 'regex', "event =~ 'a'"],
    ['SELECT e.project_id FROM events e', 'Unknown field', 'e.project_id'],
    ['SELECT event FROM events WHERE count() > 1', 'Aggregates cannot stand in WHERE', 'count() > 1'],
    ['SELECT 1 FROM events a JOIN events b ON a.uuid = b.uuid', 'events table once', 'events'],
    ['SELECT 1 FROM events a RIGHT JOIN persons b ON a.person_id = b.id', 'RIGHT JOIN is not supported', null],
    ['SELECT 1 FROM events WHERE person_id IN COHORT 3', 'Cohorts', null],
    ['SELECT arrayMap(x -> x, [1]) FROM events', 'Unknown function arrayMap', 'arrayMap(x -> x, [1])'],
  ])('%s', (text, words, offending) => {
    const error = refusal(text);
    expect(error.message).toContain(words);
    if (offending !== null) expect(text.slice(error.start, error.end)).toBe(offending);
  });

  it('reads at most 8 tables and subqueries', () => {
    const nested = Array.from({ length: 9 }, () => 'SELECT count() FROM events').join(' UNION ALL ');
    expect(refusal(nested).message).toContain('at most 8 tables');
  });
});
