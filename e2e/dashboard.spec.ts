import { expect, test, type APIRequestContext } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { hydrated, open } from './hydration';

test('start a training run in the dashboard, watch it live and see its metrics and model version', async ({ page }) => {
  await open(page, '/');
  await expect(page.locator('.dataset').first()).toContainText('synthetic-faces');
  await expect(page.locator('.class-distribution .recharts-bar-rectangle').first()).toBeVisible();
  await page.getByLabel('Epochs', { exact: true }).fill('3');
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await hydrated(page);

  // Live progress appears without a reload, then the run completes.
  await expect(page.getByTestId('live-progress')).toContainText(/training: epoch \d\/3/, { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 150_000 });
  await expect(page.locator('table.epochs tbody tr')).toHaveCount(3);
  await expect(page.locator('.model-version')).toContainText(/Model version v\d+/);
  // BatchNorm statistics are recomputed at the end of a run by default; the version says how it went.
  await expect(page.locator('.model-version')).toContainText(
    /BatchNorm statistics recomputed over \d+ training images \(val [\d.]+% → [\d.]+%\): (kept|discarded)/,
  );
  await expect(page.getByTestId('run-log')).toContainText(/BatchNorm statistics recomputed over \d+ training images/);
  await expect(page.locator('table.confusion tbody tr')).toHaveCount(7);
  // The curves are drawn with data, not empty axes.
  await expect(page.locator('.chart-loss .recharts-line-curve').first()).toHaveAttribute('d', /M.+L/);
  // The worker's log lines for this run.
  await expect(page.getByTestId('run-log')).toContainText('backend: wasm');
  await expect(page.getByTestId('run-log')).toContainText(/epoch 3: loss [\d.]+ acc [\d.]+ val_acc [\d.]+/);

  // Evaluate the model on another split; a worker records it and the page lists it.
  await page.getByLabel('Evaluate on').selectOption({ label: 'synthetic-faces / train' });
  await page.getByRole('button', { name: 'Queue evaluation' }).click();
  await expect(page.getByText('queued: a worker evaluates it')).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('button', { name: /^train: \d+\.\d%$/ })).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await hydrated(page);

  // Clone prefills the form from this run.
  await page.getByRole('link', { name: 'Clone this run' }).click();
  await expect(page.getByRole('heading', { name: /New run cloned from/ })).toBeVisible();
  await expect(page.getByLabel('Epochs', { exact: true })).toHaveValue('3');
});

test('the HTTP API rejects malformed requests and unknown datasets with clear errors', async ({ request }) => {
  const notJson = await request.post('/api/runs', {
    data: Buffer.from('{not json'),
    headers: { 'content-type': 'application/json' },
  });
  expect(notJson.status()).toBe(400);
  expect(await notJson.json()).toMatchObject({ details: expect.stringMatching(/not valid JSON/) });

  const datasets = (await (await request.get('/api/datasets')).json()) as { id: string }[];
  const bad = await request.post('/api/runs', {
    data: { datasetId: datasets[0]!.id, hyperparameters: { epochs: 0, optimizer: 'rmsprop' } },
  });
  expect(bad.status()).toBe(400);
  const body = (await bad.json()) as { details: string };
  expect(body.details).toMatch(/hyperparameters\.epochs/);
  expect(body.details).toMatch(/hyperparameters\.optimizer/);

  const unknown = await request.post('/api/runs', { data: { datasetId: '00000000-0000-4000-8000-000000000000' } });
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toMatchObject({ error: 'Unknown dataset id 00000000-0000-4000-8000-000000000000' });

  expect((await request.get('/api/runs/not-a-uuid')).status()).toBe(400);

  const runsList = (await (await request.get('/api/runs')).json()) as { id: string }[];
  const badResume = await request.post(`/api/runs/${runsList[0]!.id}/resume`, { data: { epochs: 0, more: true } });
  expect(badResume.status()).toBe(400);
  expect(((await badResume.json()) as { details: string }).details).toMatch(/epochs/);
});

test('compare two runs: overlaid curves, differing parameters highlighted, per-class recall, confusion matrices and their difference', async ({
  page,
}) => {
  await open(page, '/');
  const boxes = page.locator('table.runs tbody input[type=checkbox]');
  expect(await boxes.count()).toBeGreaterThanOrEqual(2);
  await page.getByTestId('sort-bestValAccuracy').click();
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByTestId('compare').click();
  await page.waitForURL(/\/compare\?ids=/);
  await expect(page.locator('h1')).toHaveText('Compare 2 runs');
  await expect(page.locator('.chart-valAccuracy .recharts-line-curve')).toHaveCount(2);
  await expect(page.locator('.chart-valAccuracy .recharts-line-curve').first()).toHaveAttribute('d', /M.+L/);
  // The default model ran more epochs than the browser run's 3: that row differs.
  await expect(
    page.locator('table.compare-params tr.differs').filter({ has: page.getByText('epochs', { exact: true }) }),
  ).toHaveCount(1);
  // Recall per class beside accuracy, for each run: the rare class's row has a figure in both columns.
  const disgust = page.locator('tr').filter({ has: page.getByText('Recall: disgust', { exact: true }) });
  await expect(disgust.locator('td')).toHaveCount(3);
  await expect(disgust.locator('td').nth(1)).toHaveText(/^\d+(\.\d)?%$/);
  await expect(disgust.locator('td').nth(2)).toHaveText(/^\d+(\.\d)?%$/);
  await expect(page.locator('table.confusion')).toHaveCount(2);
  await expect(page.locator('table.confusion-diff tbody tr')).toHaveCount(7);
});

test('the queue page lists queues and the live worker with its backend', async ({ page }) => {
  await open(page, '/queue');
  await expect(page.getByTestId('queue-train')).toContainText(/active \d+ · waiting \d+/);
  await expect(page.getByTestId('workers')).toContainText(/e2e-worker\s*wasm \(CPU\)/);
});

test('a dataset page shows its class distribution, a sample grid per class and its import report', async ({ page }) => {
  await open(page, '/');
  await page.locator('.dataset a').first().click();
  await expect(page.locator('h1')).toHaveText('Dataset synthetic-faces');
  await expect(page.locator('.class-distribution .recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.locator('.sample-row')).toHaveCount(7);
  const images = page.locator('.sample-row img');
  await expect(images).toHaveCount(56);
  await expect
    .poll(() =>
      images.evaluateAll((els) =>
        els.every((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth === 96),
      ),
    )
    .toBe(true);
  await expect(page.getByTestId('import-report')).toContainText('Generated in code');
});

/** A completed run on the synthetic dataset (whose images are on this machine): the flow test's, else a new 1-epoch one. */
async function completedSyntheticRun(request: APIRequestContext): Promise<string> {
  type Summary = { id: string; status: string; dataset: { name: string } };
  const list = async () => (await (await request.get('/api/runs')).json()) as Summary[];
  const done = (await list()).find((r) => r.status === 'completed' && r.dataset.name === 'synthetic-faces');
  if (done) return done.id;
  const datasets = (await (await request.get('/api/datasets')).json()) as { id: string; name: string }[];
  const datasetId = datasets.find((d) => d.name === 'synthetic-faces')!.id;
  const run = (await (
    await request.post('/api/runs', { data: { datasetId, hyperparameters: { epochs: 1 } } })
  ).json()) as { id: string };
  await expect
    .poll(async () => (await list()).find((r) => r.id === run.id)?.status, { timeout: 120_000 })
    .toBe('completed');
  return run.id;
}

test('clicking a confusion-matrix cell shows the faces in it with their scores', async ({ page, request }) => {
  await open(page, `/runs/${await completedSyntheticRun(request)}`);
  // The fullest diagonal cell, so that there are faces to show whatever the run learnt.
  const counts = await Promise.all(
    [0, 1, 2, 3, 4, 5, 6].map(async (i) => Number(await page.getByTestId(`cell-${i}-${i}`).textContent())),
  );
  const i = counts.indexOf(Math.max(...counts));
  expect(counts[i]).toBeGreaterThan(0);
  const label = (await page
    .locator('table.confusion thead th')
    .nth(i + 1)
    .textContent())!;
  await page.getByTestId(`cell-${i}-${i}`).click();
  const faces = page.getByTestId('cell-faces');
  await expect(faces).toContainText(`${label} predicted as ${label} — ${counts[i]} images`, { timeout: 30_000 });
  await expect(faces.locator('img')).toHaveCount(Math.min(counts[i]!, 48));
  await expect(faces.locator('figcaption').first()).toContainText(/\d+%/);
});

test('import a dataset by uploading a zip: live progress, then its page with the import report', async ({ page }) => {
  const { UPLOAD_ZIP } = await import('./assets');
  // Its own name per repetition (--repeat-each), as names are unique.
  const name = `uploaded-mini-${test.info().repeatEachIndex}`;
  await open(page, '/datasets/new');
  await page.getByLabel('Name').fill(name);
  await page.getByTestId('zip').setInputFiles(UPLOAD_ZIP);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-status')).toContainText(/Imported 50 files \(35 train, 14 validation\)/, {
    timeout: 60_000,
  });
  await page.getByRole('link', { name: 'Open the dataset' }).click();
  await expect(page.locator('h1')).toHaveText(`Dataset ${name}`);
  await expect(page.getByTestId('import-report')).toContainText(/Undecodable\s*1/);
  await expect(page.locator('.sample-row img')).toHaveCount(35);
  // The same name again is refused with a clear message, and nothing is replaced.
  await open(page, '/datasets/new');
  await page.getByLabel('Name').fill(name);
  await page.getByTestId('zip').setInputFiles(UPLOAD_ZIP);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.locator('.error[role=alert]')).toContainText(`a dataset named "${name}" exists already`);
});

test('import a Keras model on the Models page: its run says where it came from, a bad file gets a clear error', async ({
  page,
}) => {
  const { KERAS_H5 } = await import('./assets');
  await open(page, '/models');
  const form = page.getByTestId('import-keras');
  await form.getByLabel('Keras file').setInputFiles(KERAS_H5);
  await form.getByLabel(/^Dataset/).selectOption({ label: 'synthetic-faces' });
  await form.getByLabel('Output order').selectOption('fer2013-csv');
  await form.getByLabel('Input normalisation').selectOption('scale01');
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-keras-result')).toContainText(
    /(Imported as v\d+; a worker is evaluating it|already v\d+)/,
  );
  await expect(page.locator('tr', { hasText: 'keras:fer_cnn' }).first()).toContainText('keras');
  await page.locator('tr', { hasText: 'keras:fer_cnn' }).first().getByRole('link').first().click();
  await expect(page.getByTestId('imported-from')).toContainText('fer_cnn.h5 (Keras moodlab (tfjs-layers 4.22.0), hdf5');
  await expect(page.getByTestId('imported-from')).toContainText(
    '[angry, disgust, fear, happy, sad, surprise, neutral]',
  );

  await open(page, '/models');
  await form
    .getByLabel('Keras file')
    .setInputFiles({ name: 'notes.h5', mimeType: 'text/plain', buffer: Buffer.from('hi') });
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('import-keras-result')).toContainText('notes.h5: not a Keras model file');
});

test("the Models page gives the shipped model's live pipeline figures, from its card", async ({ page }) => {
  await open(page, '/models');
  await expect(page.locator('tbody tr', { hasText: 'bundle' }).first()).toContainText(
    /\d+\.\d% of all faces, \d+\.\d% of the detected \(face-api \d+\.\d%\)/,
  );
});

test('the new-run form is generated from the hyperparameter schema and shows validation messages at the fields', async ({
  page,
}) => {
  await open(page, '/');
  for (const field of [
    'Epochs',
    'Batch Size',
    'Learning Rate',
    'Label Smoothing',
    'Rotation Deg',
    'Image Size',
    'Seed',
  ]) {
    await expect(page.getByRole('spinbutton', { name: field, exact: true })).toBeVisible();
  }
  for (const field of ['Optimizer', 'Lr Schedule', 'Normalization'])
    await expect(page.getByRole('combobox', { name: field })).toBeVisible();
  await expect(page.getByRole('group', { name: 'Augmentation' })).toBeVisible();
  await page.getByLabel('Epochs', { exact: true }).fill('0');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.locator('.field-error')).toContainText(/Too small/);
  await expect(page).toHaveURL(/\/$/);
  // A list of model versions (distillation teachers) is one text field; the server's refusal appears at it.
  await page.locator('select[name="datasetId"]').selectOption({ label: 'synthetic-faces' });
  // The field's label now holds its error too, so it is found by name.
  await page.locator('input[name="epochs"]').fill('1');
  await page.getByRole('textbox', { name: 'Distill From' }).fill('9999');
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.locator('label', { hasText: 'Distill From' }).locator('.field-error')).toContainText(
    'No model version 9999',
  );
  await expect(page).toHaveURL(/\/$/);
});

test('a run page shows an ETA while training', async ({ page, request }) => {
  const datasets = (await (await request.get('/api/datasets')).json()) as { id: string }[];
  const run = (await (
    await request.post('/api/runs', { data: { datasetId: datasets[0]!.id, hyperparameters: { epochs: 3 } } })
  ).json()) as { id: string };
  await open(page, `/runs/${run.id}`);
  await expect(page.getByTestId('live-progress')).toContainText(/ETA \d+ (s|min)/, { timeout: 60_000 });
  await request.post(`/api/runs/${run.id}/cancel`);
});

test('the shipped model is registered and promoted with its curves and confusion matrix; its dataset explains the missing images', async ({
  page,
}) => {
  const card = JSON.parse(readFileSync('models/default/card.json', 'utf8')) as {
    dataset: { name: string };
    run: { epochs: unknown[] };
  };
  await open(page, '/models');
  const shipped = page.locator('tr', { hasText: 'bundle' }).first();
  await expect(shipped).toContainText(card.dataset.name);
  await shipped.getByRole('link').first().click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('run-status')).toHaveText('completed');
  await expect(page.locator('table.epochs tbody tr')).toHaveCount(card.run.epochs.length);
  await expect(page.locator('.chart-loss .recharts-line-curve').first()).toHaveAttribute('d', /M.+L/);
  await expect(page.locator('table.confusion tbody tr')).toHaveCount(7);
  await page.getByRole('link', { name: card.dataset.name }).first().click();
  await expect(page.locator('h1')).toHaveText(`Dataset ${card.dataset.name}`);
  await expect(page.getByTestId('samples')).toContainText(`Import them under the name ${card.dataset.name}`);
});

test('a sweep: the form names a bad range, and a sweep page shows its trials, plots and brushing', async ({
  page,
  request,
}) => {
  await open(page, '/sweeps');
  const form = page.getByTestId('new-sweep');
  await form.getByLabel('learningRate low').fill('0.01');
  await form.getByLabel('learningRate high').fill('0.001');
  await form.getByRole('button', { name: 'Start the sweep' }).click();
  await expect(form.getByRole('alert')).toContainText('space.learningRate: low (0.01) must be below high (0.001)');

  const datasets = (await (await request.get('/api/datasets')).json()) as { id: string; name: string }[];
  const created = await request.post('/api/sweeps', {
    data: {
      name: `e2e-sweep-${test.info().repeatEachIndex}`,
      datasetId: datasets.find((d) => d.name === 'synthetic-faces')!.id,
      base: { batchSize: 32, recalibrateBatchNorm: 0 },
      method: 'grid',
      space: { learningRate: { kind: 'choice', values: [0.0003, 0.003, 0.03] } },
      budget: { trials: 3, parallelism: 1, maxEpochs: 1 },
    },
  });
  expect(created.status()).toBe(201);
  const { id } = (await created.json()) as { id: string };
  await open(page, `/sweeps/${id}`);
  await expect(page.getByTestId('sweep-status')).toHaveText('completed', { timeout: 150_000 });
  await expect(page.locator('[data-testid=trials] tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('importance')).toContainText('learningRate');
  // Brushing from the top of the metric axis down to halfway to the next lower score keeps exactly
  // the trials that share the best score, and the table lists only those.
  const view = (await (await request.get(`/api/sweeps/${id}`)).json()) as { trials: { score: number | null }[] };
  const scores = view.trials.map((t) => t.score).filter((s): s is number => s !== null);
  const [lo, hi] = [Math.min(...scores), Math.max(...scores)];
  expect(hi, 'the three learning rates should not all score the same').toBeGreaterThan(lo);
  // Each axis prints its range: the metric axis its lowest and highest score.
  await expect(page.getByTestId('tick-__metric')).toHaveCount(2);
  const units = scores.map((s) => (s - lo) / (hi - lo));
  const nextBelowTop = Math.max(...units.filter((u) => u < 1));
  // In view first: the mouse reaches only what the viewport shows.
  await page.getByTestId('parallel-coordinates').scrollIntoViewIfNeeded();
  const box = (await page.getByTestId('parallel-coordinates').boundingBox())!;
  // The SVG is 900x300 with its axes from y=60 (top) to y=240; the metric axis is the last, at x=840.
  const at = (u: number) => box.y + box.height * ((240 - 180 * u) / 300);
  const x = box.x + box.width * ((900 - 60) / 900);
  await page.mouse.move(x, box.y + box.height * (52 / 300));
  await page.mouse.down();
  await page.mouse.move(x, at((1 + nextBelowTop) / 2), { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('brush-__metric')).toBeVisible();
  await expect(page.locator('[data-testid=trials] tbody tr')).toHaveCount(units.filter((u) => u === 1).length);
  await expect(page.locator('[data-testid=trials] tbody tr', { hasText: '★' })).toHaveCount(1);
});
