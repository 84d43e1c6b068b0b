/**
 * Names in a HogQL expression: a select alias, a table's field (`event`,
 * `e.properties.$browser`), or a column of a subquery. Resolution looks at the
 * scope's own tables only (no correlated subqueries, as in ClickHouse).
 */
import { sql } from 'drizzle-orm';
import type { Field } from './ast';
import type { PathStep } from './compile-properties';
import type { Scope, ScopeTable } from './compile-scope';
import { TABLE_FIELDS, entityField, eventField } from './compile-schema';
import { type Compiled, fail } from './compile-types';

function tableHas(table: ScopeTable, name: PathStep): boolean {
  if (typeof name !== 'string') return false;
  if (table.kind === 'subquery') return table.columns.some((c) => c.name === name || c.lookup === name);
  if (table.kind === 'events' && /^\$group_[0-4]$/.test(name)) return true;
  return TABLE_FIELDS[table.kind].some((f) => f.name === name);
}

function fieldOfTable(table: ScopeTable, chain: PathStep[], scope: Scope, at: Field): Compiled {
  if (table.kind === 'subquery') {
    const [name, ...rest] = chain;
    const column = table.columns.find((c) => c.name === name) ?? table.columns.find((c) => c.lookup === name);
    if (!column) fail(`Unknown field "${String(name)}" on ${table.names[0] ?? 'the subquery'}`, at);
    if (rest.length) fail(`"${String(name)}" of a subquery has no fields`, at);
    return { sql: sql.raw(`${table.alias}.${column.column}`), type: column.type, zone: column.zone };
  }
  if (table.kind === 'events') return eventField(chain, scope.joins, at);
  return entityField(table.kind, table.alias, chain, at);
}

export function fieldOf(field: Field, scope: Scope, extra: PathStep[] = []): Compiled {
  const chain: PathStep[] = [...field.chain, ...extra];
  const [first] = field.chain;
  if (first === undefined || chain.includes('*')) fail('* can only stand alone in SELECT or in count(*)', field);
  if (chain.length === 1 && scope.aliases.has(first) && !scope.expanding.has(first)) {
    scope.expanding.add(first);
    try {
      return scope.compile(scope.aliases.get(first)!, scope);
    } finally {
      scope.expanding.delete(first);
    }
  }
  if (chain.length > 1) {
    const named = scope.tables.find((t) => t.names.includes(first));
    if (named) return fieldOfTable(named, chain.slice(1), scope, field);
  }
  const owner = scope.tables.find((t) => tableHas(t, first));
  if (owner) return fieldOfTable(owner, chain, scope, field);
  if (scope.tables.length === 0) fail(`Unknown field "${first}": the query has no FROM`, field);
  return fail(`Unknown field "${field.chain.join('.')}"`, field);
}
