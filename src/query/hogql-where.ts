/**
 * EventsQuery `where`: HogQL expressions over one event (`properties.$browser = 'Chrome'`,
 * `person.properties.plan = 'pro'`, `timestamp > now() - INTERVAL 1 DAY`), each compiled by the
 * HogQL compiler over the events source's aliases (`e`, `m`, `p`), every literal bound.
 */
import { sql, type SQL } from 'drizzle-orm';
import { compileContext } from '../hogql/compile';
import { compileExpr } from '../hogql/compile-expr';
import type { Scope } from '../hogql/compile-scope';
import { HogQLCompileError } from '../hogql/compile-types';
import { parseExpr } from '../hogql/parser';
import type { QueryContext } from './context';
import { hogqlError } from './hogql-query';
import type { Needs } from './types';

export function hogqlWhereSql(ctx: QueryContext, where: string[] | null | undefined, needs: Needs): SQL[] {
  return (where ?? []).map((text, i) => {
    const attr = `query.where.${i}`;
    try {
      const options = { projectId: ctx.projectId, timezone: ctx.timezone, now: ctx.now };
      const scope: Scope = {
        ctx: compileContext(options),
        tables: [{ kind: 'events', names: ['events'], alias: 'e' }],
        joins: { owner: false, person: false },
        aliases: new Map(),
        expanding: new Set(),
        inAggregate: false,
        compile: compileExpr,
        subquery: () => {
          throw new HogQLCompileError('Subqueries are not supported in an EventsQuery where; use a HogQLQuery');
        },
      };
      const compiled = compileExpr(parseExpr(text), scope);
      if (compiled.aggregate) throw new HogQLCompileError('Aggregates cannot stand in where');
      needs.row = true;
      if (scope.joins.person) needs.person = true;
      return sql`(${compiled.sql})`;
    } catch (error) {
      throw hogqlError(error, attr) ?? error;
    }
  });
}
