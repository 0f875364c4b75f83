import { databaseUrlFor } from '@moodlab/db/urls';

/** Where the integration tests run: a database and a Redis db of their own, reset per run. */
export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? databaseUrlFor('moodlab_test');
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/1';
export const MIGRATIONS_DIR = new URL('../prisma/migrations', import.meta.url).pathname;
