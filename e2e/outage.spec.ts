import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test } from '@playwright/test';

/** A dashboard whose database cannot be reached (nothing listens on port 1), as during a restart. */
const PORT = 3102;
const base = `http://127.0.0.1:${PORT}`;
let server: ChildProcess;

test.beforeAll(async () => {
  server = spawn('npx', ['next', 'start', '-p', String(PORT)], {
    cwd: 'apps/dashboard',
    stdio: 'ignore',
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
    },
  });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${base}/api/datasets`).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the dashboard without a database did not start');
});

test.afterAll(() => {
  if (server.pid) process.kill(-server.pid, 'SIGTERM');
});

test('a page whose database is away says so and retries on its own; the API answers a generic 500', async ({
  page,
  request,
}) => {
  await page.goto(`${base}/`);
  const error = page.getByTestId('page-error');
  await expect(error).toContainText('This page could not load');
  await expect(error).toContainText(/database or queue is restarting/);
  await expect(error).toContainText(/Trying again in [1-5] s/);

  const api = await request.get(`${base}/api/datasets`);
  expect(api.status()).toBe(500);
  expect(await api.json()).toEqual({ error: 'internal error; the server log has the details' });
});
