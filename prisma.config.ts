import { defineConfig } from 'prisma/config';
import { DEFAULT_DATABASE_URL } from './libs/db/src/urls';

// The CLI is used here only for `generate` (offline); migrations apply with `npm run migrate`
// (libs/db/src/migrate.ts), which keeps the same folder and _prisma_migrations bookkeeping
// as `prisma migrate deploy`, so either can be used where Prisma's schema engine exists.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL },
});
