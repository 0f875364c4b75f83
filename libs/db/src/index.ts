export { createDb, DEFAULT_DATABASE_URL, type Db } from './client';
export { migrate, ensureDatabase, listMigrations, type MigrateOptions, type MigrateResult } from './migrate';
export * from './repositories/artifacts';
export * from './repositories/datasets';
export * from './repositories/runs';
export * from './repositories/models';
export * from './repositories/workers';
export type { Prisma } from './generated/client';
export { describeError, isConnectionError, withDbRetry, type RetryOptions } from './retry';
