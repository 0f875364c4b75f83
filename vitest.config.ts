// A relative path: config files load before workspace TypeScript packages can be resolved.
import { databaseUrlFor } from './libs/db/src/urls';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'libs/**/*.test.ts',
      'apps/worker/**/*.test.ts',
      'tests/integration/**/*.test.ts',
      'tests/faults/**/*.test.ts',
    ],
    globalSetup: ['tests/global-setup.ts'],
    // Integration tests share one test database and Redis db; two cores do not gain from parallel files.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: {
      DATABASE_URL: databaseUrlFor('moodlab_test'),
      REDIS_URL: 'redis://127.0.0.1:6379/1',
      CHECKPOINT_DISABLE: '1',
    },
  },
});
