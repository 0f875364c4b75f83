import { expect, test } from '@playwright/test';
import { startExtraDashboard } from './extra-dashboard';

/** A dashboard whose database cannot be reached (nothing listens on port 1), as during a restart. */
const PORT = 3102;
const base = `http://127.0.0.1:${PORT}`;
let dashboard: { stop: () => void };

test.beforeAll(async () => {
  dashboard = await startExtraDashboard(PORT, {
    DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/unreachable',
    REDIS_URL: 'redis://127.0.0.1:6379/2',
  });
});

test.afterAll(() => dashboard.stop());

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
