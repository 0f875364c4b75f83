import pg from 'pg';
import { Redis } from 'ioredis';
import { migrate } from '@moodlab/db';
import { MIGRATIONS_DIR } from './test-env';

/** Drops and recreates the database, applies every migration, and empties the Redis db. */
export async function resetServices(databaseUrl: string, redisUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = url.pathname.slice(1);
  if (!/_(test|e2e)$/.test(name)) throw new Error(`refusing to reset ${name}: test databases end in _test or _e2e`);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
  await migrate({ connectionString: databaseUrl, migrationsDir: MIGRATIONS_DIR });
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
}
