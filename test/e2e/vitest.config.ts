// End-to-end suites: real SDKs against an isolated `wrangler dev`. Runs in plain Node (not the
// workers pool): `npm run test:e2e`.
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: path.resolve(import.meta.dirname, '../..'),
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    // One service, one browser at a time: the machine is small and the suites are about
    // correctness, not speed.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
