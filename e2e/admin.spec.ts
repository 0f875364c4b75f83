import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startExtraDashboard } from './extra-dashboard';
import { databaseUrlFor } from '@moodlab/db/urls';

/** A second dashboard with ADMIN_PASSWORD set: state changes need sign-in, reading does not. */
const PORT = 3101;
const base = `http://127.0.0.1:${PORT}`;
let dashboard: { stop: () => void };

test.beforeAll(async () => {
  dashboard = await startExtraDashboard(PORT, {
    DATABASE_URL: databaseUrlFor('moodlab_e2e'),
    REDIS_URL: 'redis://127.0.0.1:6379/2',
    ADMIN_PASSWORD: 'correct horse',
  });
});

test.afterAll(() => dashboard.stop());

test('with an admin password, mutating actions need sign-in; pages and predictions stay public', async ({
  request,
  playwright,
}) => {
  const datasets = (await (await request.get(`${base}/api/datasets`)).json()) as { id: string }[];
  const start = { datasetId: datasets[0]!.id, hyperparameters: { epochs: 1 } };
  const denied = await request.post(`${base}/api/runs`, { data: start });
  expect(denied.status()).toBe(401);
  expect((await denied.json()).error).toMatch(/sign in/);
  expect((await request.post(`${base}/api/models/rollback`, { data: {} })).status()).toBe(401);
  expect((await request.get(`${base}/`)).status()).toBe(200);
  expect((await request.post(`${base}/api/auth/signin`, { data: { password: 'wrong' } })).status()).toBe(401);
  const signedIn = await request.post(`${base}/api/auth/signin`, { data: { password: 'correct horse' } });
  expect(signedIn.status()).toBe(200);
  // A signed, expiring token that only same-site requests carry, never the password or a hash of it.
  const cookie = signedIn.headers()['set-cookie'] ?? '';
  expect(cookie).toMatch(/moodlab_session=[\w-]+\.[\w-]+\.[\w-]+/);
  expect(cookie).toMatch(/HttpOnly/i);
  expect(cookie).toMatch(/SameSite=Strict/i);
  // The session cookie is now in this request context.
  const allowed = await request.post(`${base}/api/runs`, { data: start });
  expect(allowed.status()).toBe(201);
  await request.post(`${base}/api/runs/${((await allowed.json()) as { id: string }).id}/cancel`);
  // Scripts use a bearer token instead of a session (a fresh context has no cookie).
  const api = await playwright.request.newContext();
  expect((await api.post(`${base}/api/runs`, { data: start })).status()).toBe(401);
  const viaToken = await api.post(`${base}/api/runs`, {
    data: start,
    headers: { authorization: 'Bearer correct horse' },
  });
  expect(viaToken.status()).toBe(201);
  await api.post(`${base}/api/runs/${((await viaToken.json()) as { id: string }).id}/cancel`, {
    headers: { authorization: 'Bearer correct horse' },
  });
  await api.dispose();
});

test('sign-in is throttled after repeated wrong passwords', async ({ playwright }) => {
  const api = await playwright.request.newContext();
  const statuses: number[] = [];
  for (let i = 0; i < 12; i++)
    statuses.push((await api.post(`${base}/api/auth/signin`, { data: { password: `guess ${i}` } })).status());
  expect(statuses.slice(0, 9).every((s) => s === 401)).toBe(true);
  expect(statuses.at(-1)).toBe(429);
  await api.dispose();
});

/** Every route file under app/api that exports a method which changes state, as a URL with its parameters filled in. */
function mutatingRoutes(): { url: string; method: string }[] {
  const root = 'apps/dashboard/app/api';
  const fill: Record<string, string> = {
    '[id]': '00000000-0000-4000-8000-000000000000',
    '[queue]': 'train',
    '[jobId]': 'x',
    '[action]': 'cancel',
  };
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('route.ts'))
    .flatMap((file) => {
      const source = readFileSync(path.join(root, file), 'utf8');
      const url = `/api/${path
        .dirname(file)
        .split(path.sep)
        .map((part) => fill[part] ?? part)
        .join('/')}`;
      return ['POST', 'PUT', 'PATCH', 'DELETE']
        .filter((m) => new RegExp(`export const ${m}\\b`).test(source))
        .map((method) => ({ url, method }));
    });
}

test('with an admin password, every route that changes state refuses a request without a session', async ({
  playwright,
}) => {
  // Public by design: predictions and signing in itself.
  const routes = mutatingRoutes().filter((r) => !['/api/predict', '/api/auth/signin'].includes(r.url));
  expect(routes.length).toBeGreaterThanOrEqual(8);
  const api = await playwright.request.newContext();
  for (const r of routes) {
    const res = await api.fetch(`${base}${r.url}`, { method: r.method, data: {} });
    expect(res.status(), `${r.method} ${r.url}`).toBe(401);
  }
  await api.dispose();
});
