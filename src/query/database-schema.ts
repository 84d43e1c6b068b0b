/**
 * DatabaseSchemaQuery: the tables and fields HogQL can read here, in PostHog's
 * DatabaseSchemaQueryResponse shape (`tables` keyed by name, each with its
 * `fields`; `joins` empty: no data warehouse links). PostHog's MCP asks it
 * before writing HogQL.
 */
import { TABLE_FIELDS, type TableName } from '../hogql/compile-schema';
import { printIdentifier } from '../hogql/print';

export function databaseSchema(): Record<string, unknown> {
  const tables: Record<string, unknown> = {};
  for (const name of Object.keys(TABLE_FIELDS) as TableName[]) {
    const fields: Record<string, unknown> = {};
    for (const f of TABLE_FIELDS[name]) {
      fields[f.name] = {
        name: f.name,
        hogql_value: printIdentifier(f.name),
        type: f.type,
        schema_valid: true,
        ...(f.table ? { table: f.table, fields: f.fields } : {}),
      };
    }
    tables[name] = { type: 'posthog', id: name, name, fields };
  }
  return { tables, joins: [] };
}
