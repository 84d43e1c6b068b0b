import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import path from 'node:path';

const SOAK = 'test/reliability/soak.test.ts';
const migrations = await readD1Migrations(path.join(import.meta.dirname, 'migrations'));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: { TEST_MIGRATIONS: migrations, PERSONAL_API_KEY: 'phx_test_key' },
        // As in wrangler.toml, but flushing batches after 50 ms instead of 1 s keeps the suite quick.
        queueConsumers: {
          ingest: { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 5, deadLetterQueue: 'ingest-dlq' },
          // As in wrangler.toml: import messages are full, so 10 per batch.
          'ingest-historical': { maxBatchSize: 10, maxBatchTimeout: 0.05, maxRetries: 5, deadLetterQueue: 'ingest-dlq' },
          'ingest-dlq': { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 10 },
        },
      },
    }),
  ],
  test: {
    setupFiles: ['./test/apply-migrations.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The test files share the local queue and its consumer; the soak test gets
    // them to itself, after everything else.
    projects: [
      {
        extends: true,
        test: { name: 'main', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**', SOAK], sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'soak', include: [SOAK], sequence: { groupOrder: 1 } } },
    ],
  },
});
