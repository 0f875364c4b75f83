import { defineConfig } from '@playwright/test';
import { CAMERA_VIDEO } from './e2e/assets';
// A relative path: config files load before workspace TypeScript packages can be resolved.
import { databaseUrlFor } from './libs/db/src/urls';

const E2E_DB = databaseUrlFor('moodlab_e2e');
const E2E_REDIS = 'redis://127.0.0.1:6379/2';
const env = { DATABASE_URL: E2E_DB, REDIS_URL: E2E_REDIS, NEXT_TELEMETRY_DISABLED: '1', CHECKPOINT_DISABLE: '1' };

/** Browser tests drive Debian's Chromium against the built dashboard and a real worker. */
export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: 'http://127.0.0.1:3100',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // A fake camera playing a video of a face (written by e2e/prepare.ts).
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${CAMERA_VIDEO}`,
      ],
    },
  },
  webServer: [
    {
      command: 'npx tsx e2e/prepare.ts && cd apps/dashboard && npx next start -H 127.0.0.1 -p 3100',
      url: 'http://127.0.0.1:3100/api/datasets',
      env,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: 'node --import tsx apps/worker/src/main.ts',
      env: { ...env, WORKER_ID: 'e2e-worker' },
      wait: { stdout: /ready: queues/ },
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
