#!/usr/bin/env node
// `npm run db:migrate [-- --remote] [-- --persist-to DIR]`: migrations/ applied to the
// catalog and to every shard of wrangler.toml (local by default).
import path from 'node:path';
import { migrateAllDatabases } from './lib/d1-migrate.mjs';

const args = process.argv.slice(2);
const persistIndex = args.indexOf('--persist-to');
const bindings = await migrateAllDatabases({
  root: path.resolve(import.meta.dirname, '..'),
  remote: args.includes('--remote'),
  persistTo: persistIndex >= 0 ? args[persistIndex + 1] : undefined,
  log: (line) => console.log(line),
});
console.log(`Migrated ${bindings.join(', ')}.`);
