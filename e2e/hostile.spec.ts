import { expect, test, type APIRequestContext } from '@playwright/test';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { createDb } from '@moodlab/db';
import { databaseUrlFor } from '@moodlab/db/urls';

/**
 * Hostile and malformed requests over the API: each gets a 4xx that names the problem, none a
 * 5xx, and none reads a server file or acts on behalf of another site.
 */
const db = createDb(databaseUrlFor('moodlab_e2e'));
test.afterAll(() => db.$disconnect());

interface Case {
  name: string;
  send: (r: APIRequestContext) => ReturnType<APIRequestContext['post']>;
  status: number;
  body?: RegExp;
  notBody?: RegExp;
}

async function ids(request: APIRequestContext) {
  const datasets = (await (await request.get('/api/datasets')).json()) as { id: string }[];
  const models = (await (await request.get('/api/models')).json()) as { id: string }[];
  return { datasetId: datasets[0]!.id, modelId: models[0]!.id };
}

test('bad and hostile requests get a clear 4xx, never a 5xx', async ({ request }) => {
  const { datasetId, modelId } = await ids(request);
  const run = { datasetId, hyperparameters: { epochs: 1 } };
  const huge = 3_000_000_000;
  const cases: Case[] = [
    {
      name: 'JSON sent as text/plain (a cross-site form can do that)',
      send: (r) => r.post('/api/runs', { headers: { 'content-type': 'text/plain' }, data: JSON.stringify(run) }),
      status: 415,
    },
    {
      name: 'a start from another origin',
      send: (r) => r.post('/api/runs', { headers: { origin: 'http://evil.example' }, data: run }),
      status: 403,
    },
    {
      name: 'a bodyless cancel a page of another site made',
      send: (r) =>
        r.post('/api/runs/00000000-0000-4000-8000-000000000000/cancel', {
          headers: { 'sec-fetch-site': 'cross-site' },
        }),
      status: 403,
    },
    {
      name: 'initFrom beyond a Postgres integer',
      send: (r) => r.post('/api/runs', { data: { ...run, hyperparameters: { epochs: 1, initFrom: huge } } }),
      status: 400,
      body: /initFrom/,
    },
    {
      name: 'a NUL character in a tag',
      send: (r) => r.post('/api/runs', { data: { ...run, tags: ['a\u0000b'] } }),
      status: 400,
      body: /NUL/,
    },
    {
      name: 'a NUL character in a promote note',
      send: (r) => r.post(`/api/models/${modelId}/promote`, { data: { note: 'x\u0000' } }),
      status: 400,
      body: /NUL/,
    },
    {
      name: 'modelVersion beyond a Postgres integer (JSON)',
      send: (r) => r.post('/api/predict', { data: { image: 'aGVsbG8=', modelVersion: huge } }),
      status: 400,
    },
    {
      name: 'modelVersion beyond a Postgres integer (multipart)',
      send: (r) =>
        r.post('/api/predict', {
          multipart: {
            image: { name: 'a.png', mimeType: 'image/png', buffer: Buffer.from('x') },
            modelVersion: String(huge),
          },
        }),
      status: 400,
    },
    {
      name: 'a CSV import of /etc/passwd',
      send: (r) =>
        r.post('/api/datasets/import', { data: { name: 'passwd', source: { kind: 'csv', path: '/etc/passwd' } } }),
      status: 403,
      notBody: /root:/,
    },
    {
      name: 'a folder import of /',
      send: (r) => r.post('/api/datasets/import', { data: { name: 'root', source: { kind: 'folder', path: '/' } } }),
      status: 403,
    },
    {
      name: 'cancelling a job that does not exist',
      send: (r) => r.post('/api/queue/import/nope/cancel', { data: {} }),
      status: 404,
    },
    {
      name: 'malformed JSON',
      send: (r) => r.post('/api/runs', { headers: { 'content-type': 'application/json' }, data: '{"datasetId":' }),
      status: 400,
    },
    { name: 'an unknown field', send: (r) => r.post('/api/runs', { data: { ...run, sneaky: true } }), status: 400 },
  ];
  const seen: string[] = [];
  for (const c of cases) {
    const res = await c.send(request);
    const text = await res.text();
    seen.push(`${res.status()} ${c.name}`);
    expect(res.status(), `${c.name}: ${text}`).toBe(c.status);
    expect(text, c.name).toMatch(c.body ?? /"error"/);
    if (c.notBody) expect(text, c.name).not.toMatch(c.notBody);
  }
  console.log(seen.join('\n'));
});

test('an image of 4 MB sent as base64 JSON is judged on its bytes, not its encoded length', async ({ request }) => {
  const side = 1180;
  const noise = Buffer.alloc(side * side * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const png = await sharp(noise, { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  expect(png.length).toBeGreaterThan(4_000_000);
  const res = await request.post('/api/predict', { data: { image: png.toString('base64') } });
  // No face in noise: 422, not 413.
  expect(res.status(), await res.text()).toBe(422);
});

test('a zip bomb upload is refused by the import, and the upload is not kept', async ({ request }) => {
  // Counted before, not assumed zero: an earlier run against the same database may have left a
  // resumable upload that is still within its time to be finished.
  const uploadsBefore = await db.artifact.count({ where: { kind: 'upload' } });
  const bomb = zipSync({ 'train/happy/bomb.png': new Uint8Array(64 * 1024 * 1024) }, { level: 9 });
  expect(bomb.length).toBeLessThan(200_000);
  const res = await request.post('/api/datasets/import', {
    multipart: {
      name: `bomb-${test.info().repeatEachIndex}`,
      file: { name: 'bomb.zip', mimeType: 'application/zip', buffer: Buffer.from(bomb) },
    },
  });
  expect(res.status()).toBe(202);
  const { jobId } = (await res.json()) as { jobId: string };
  let status: { state: string; error: string | null } = { state: 'waiting', error: null };
  await expect
    .poll(
      async () => (status = (await (await request.get(`/api/datasets/import/${jobId}`)).json()) as typeof status).state,
      { timeout: 60_000 },
    )
    .toBe('failed');
  expect(status.error).toMatch(/the archive is refused: train\/happy\/bomb.png inflates to 64 MiB/);
  expect(await db.artifact.count({ where: { kind: 'upload' } })).toBe(uploadsBefore);
});
