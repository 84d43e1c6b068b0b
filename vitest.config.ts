import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import path from 'node:path';
import { buildAssets } from './scripts/build-assets.mjs';

// wrangler.toml's [assets] directory (.assets/) is assembled from node_modules.
buildAssets();

const SOAK = 'test/reliability/soak.test.ts';
// Pure code (no Cloudflare bindings) is tested in plain Node: no runtime to start.
const NODE_TESTS = 'test/**/*.node.test.ts';
const FAULTS = 'test/reliability/faults.test.ts';
const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: { TEST_MIGRATIONS: migrations, PERSONAL_API_KEY: 'phx_test_key' },
        // Wrong keys per client address: the suites present hundreds from one address on purpose
        // (security, access); test/api/auth-failures.test.ts counts up to this limit.
        ratelimits: { AUTH_FAILURES: { simple: { limit: 1000, period: 60 } } },
        // As in wrangler.toml, but flushing batches after 50 ms instead of 1 s keeps the suite quick.
        queueConsumers: {
          ingest: { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 5, deadLetterQueue: 'ingest-dlq' },
          // As in wrangler.toml: import messages are full, so 10 per batch.
          'ingest-historical': {
            maxBatchSize: 10,
            maxBatchTimeout: 0.05,
            maxRetries: 5,
            deadLetterQueue: 'ingest-dlq',
          },
          'ingest-dlq': { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 10 },
        },
      },
    }),
  ],
  test: {
    setupFiles: ['./test/apply-migrations.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each isolated test file would start its own workerd (Miniflare) and apply the
    // migrations again: most of the suite's time on 2 cores. Files share one runtime per
    // worker instead (every test works in a project of its own), two workers at a time,
    // so one file's waiting on the queue overlaps another's work.
    isolate: false,
    maxWorkers: 2,
    // The fault tests time their faults in wall-clock phases against the queue's retry
    // delay, and the soak measures a run to the end: each gets the machine (and a runtime
    // with its own local queue) to itself, after everything else.
    projects: [
      { test: { name: 'node', environment: 'node', include: [NODE_TESTS], exclude: ['test/e2e/**'] } },
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', NODE_TESTS, FAULTS, SOAK],
          sequence: { groupOrder: 0 },
        },
      },
      { extends: true, test: { name: 'faults', include: [FAULTS], sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: 'soak', include: [SOAK], sequence: { groupOrder: 2 } } },
    ],
  },
});
