import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
  // wrangler applies flat .sql files from migrations/ in name order.
  migrations: { prefix: 'index' },
});
