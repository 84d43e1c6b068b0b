import { applyD1Migrations, env } from 'cloudflare:test';
import { shardDatabases } from '../src/db/shards';

// The catalog and every shard get the same migrations, as `npm run db:migrate` does.
await Promise.all([env.DB, ...shardDatabases(env)].map((db) => applyD1Migrations(db, env.TEST_MIGRATIONS)));
