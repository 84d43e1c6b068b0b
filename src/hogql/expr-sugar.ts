import type { Expr } from './ast';
import type { Cursor } from './cursor';
import { constant, syntheticCall } from './expr-nodes';
import type { Token } from './lexer';

const INTERVAL_UNITS: Record<string, string> = {
  SECOND: 'Second',
  MINUTE: 'Minute',
  HOUR: 'Hour',
  DAY: 'Day',
  WEEK: 'Week',
  MONTH: 'Month',
  QUARTER: 'Quarter',
  YEAR: 'Year',
  YYYY: 'Year',
};

// CASE becomes a call, as in PostHog: if(c, r, else) for one WHEN, multiIf(c1, r1, c2, r2, ..., else) for more,
// and _caseWithExpression(x, v1, r1, ..., else) for CASE x WHEN v1 ...; a missing ELSE is NULL.
export function parseCase(c: Cursor): Expr {
  const start = c.next().start;
  const args: Expr[] = [];
  const subject = c.isKw('WHEN') ? undefined : c.grammar.expr(c);
  if (subject) args.push(subject);
  let whens = 0;
  do {
    c.expectKw('WHEN');
    args.push(c.grammar.expr(c));
    c.expectKw('THEN');
    args.push(c.grammar.expr(c));
    whens += 1;
  } while (c.isKw('WHEN'));
  if (c.acceptKw('ELSE')) {
    args.push(c.grammar.expr(c));
  } else {
    args.push(constant(null, c.peek().start, c.peek().start));
  }
  c.expectKw('END');
  const name = subject ? '_caseWithExpression' : whens === 1 ? 'if' : 'multiIf';
  return syntheticCall(name, args, start, c.lastEnd);
}

function intervalUnit(token: Token): string | undefined {
  return token.type === 'ident' ? INTERVAL_UNITS[token.upper] : undefined;
}

// INTERVAL n unit becomes toInterval<Unit>(n), as in PostHog; INTERVAL '7 days' is toIntervalDay(7).
export function parseInterval(c: Cursor): Expr {
  const start = c.next().start;
  const text = c.peek();
  if (text.type === 'string' && !intervalUnit(c.peek(1))) {
    c.next();
    const [count, unit, ...rest] = text.value.split(' ');
    const name = unit && INTERVAL_UNITS[unit.replace(/s$/, '').toUpperCase()];
    if (!count || !/^[0-9]+$/.test(count) || !unit || unit !== unit.toLowerCase() || !name || rest.length) {
      c.unsupported(`interval '${text.value}' (expected e.g. '7 days')`, text);
    }
    return syntheticCall(`toInterval${name}`, [constant(Number(count), text.start, text.end)], start, c.lastEnd);
  }
  const count = c.grammar.expr(c);
  const unit = intervalUnit(c.peek());
  if (!unit) c.fail('Expected an interval unit (SECOND, MINUTE, HOUR, DAY, WEEK, MONTH, QUARTER or YEAR)');
  c.next();
  return syntheticCall(`toInterval${unit}`, [count], start, c.lastEnd);
}
