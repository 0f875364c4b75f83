import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { open } from './hydration';
import { ASSETS_DIR, CAMERA_VIDEO, MANIFEST, type AssetManifest } from './assets';

const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as AssetManifest;
const asset = (file: string) => readFileSync(path.join(ASSETS_DIR, file));

interface Face {
  box: { x: number; y: number; width: number; height: number };
  label: string;
  scores: Record<string, number>;
}

test('the live demo finds the face in the camera video, labels it and reports FPS', async ({ page }) => {
  test.skip(
    !existsSync(CAMERA_VIDEO),
    'no face in the test media was detectable (../shared/datasets/fer2013 is absent; synthetic faces are not real enough for face-api)',
  );
  await open(page, '/demo');
  await expect(page.getByTestId('face-label').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('demo-stats')).toContainText(
    /backend (webgl|wasm|cpu) · model v\d+ · [\d.]+ FPS · detect \d+ ms( every \d+ frames)? · classify \d+ ms/,
  );
  // Boxes are drawn on the overlay canvas (some pixel is not transparent).
  const drawn = await page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) =>
    c
      .getContext('2d')!
      .getImageData(0, 0, c.width, c.height)
      .data.some((v, i) => i % 4 === 3 && v > 0),
  );
  expect(drawn).toBe(true);
  // A probability bar is a filled part on a lighter track, so that 30% reads as 30%.
  const bar = page.getByTestId('faces').locator('.bar').first();
  const [track, fill] = await bar.evaluate((el) => [
    getComputedStyle(el).backgroundColor,
    getComputedStyle(el.firstElementChild!).backgroundColor,
  ]);
  expect(track).not.toBe(fill);
  // Each face shows the crop the model judged: a 48x48 gray face, not an empty canvas.
  const crop = page.getByTestId('face-crop').first();
  await expect
    .poll(
      () =>
        crop.evaluate((c: HTMLCanvasElement) => {
          if (c.width !== 48) return 'size ' + c.width;
          const px = c.getContext('2d')!.getImageData(0, 0, 48, 48).data;
          const values = new Set<number>();
          for (let i = 0; i < px.length; i += 4) values.add(px[i]!);
          return values.size > 20 ? 'a face' : `${values.size} grey levels`;
        }),
      { timeout: 10_000 },
    )
    .toBe('a face');
});

test('browser and server agree on fixed images: same boxes, same top label, probabilities within 1e-3', async ({
  page,
  request,
}) => {
  test.skip(manifest.frames.length === 0, 'no detectable test faces (../shared/datasets/fer2013 is absent)');
  await open(page, '/demo');
  await expect(page.getByTestId('demo-stats')).toContainText(/model v\d+/, { timeout: 60_000 });
  for (const file of manifest.frames) {
    const png = asset(file);
    const server = (await (
      await request.post('/api/predict', { multipart: { image: { name: file, mimeType: 'image/png', buffer: png } } })
    ).json()) as { modelVersion: number; faces: Face[] };
    const browser = await page.evaluate(
      async (url) =>
        (
          window as unknown as {
            moodlabDemo: { classifyImage(u: string): Promise<{ modelVersion: number; faces: Face[] }> };
          }
        ).moodlabDemo.classifyImage(url),
      `data:image/png;base64,${png.toString('base64')}`,
    );
    expect(browser.modelVersion).toBe(server.modelVersion);
    expect(browser.faces).toHaveLength(server.faces.length);
    browser.faces.forEach((b, i) => {
      const s = server.faces[i]!;
      expect(b.label).toBe(s.label);
      for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(b.box[k] - s.box[k])).toBeLessThan(1);
      for (const [label, p] of Object.entries(s.scores)) expect(Math.abs(b.scores[label]! - p)).toBeLessThan(1e-3);
    });
  }
});

test('the prediction API answers good images and rejects bad ones with clear 4xx errors', async ({ request }) => {
  if (manifest.frames.length) {
    const ok = await request.post('/api/predict', {
      multipart: { image: { name: 'f.png', mimeType: 'image/png', buffer: asset(manifest.frames[0]!) } },
    });
    expect(ok.status()).toBe(200);
    const body = (await ok.json()) as { modelVersion: number; faces: Face[] };
    expect(body.faces).toHaveLength(1);
    expect(Object.keys(body.faces[0]!.scores)).toEqual([
      'angry',
      'disgust',
      'fear',
      'happy',
      'neutral',
      'sad',
      'surprise',
    ]);
    // Where the request's time went, per stage (Server-Timing, shown in browsers' network panels).
    expect(ok.headers()['server-timing']).toMatch(
      /^parse;dur=[\d.]+, decode;dur=[\d.]+, detect;dur=[\d.]+, classify;dur=[\d.]+, handoff;dur=[\d.]+, total;dur=[\d.]+$/,
    );
    const b64 = await request.post('/api/predict', { data: { image: asset(manifest.frames[0]!).toString('base64') } });
    expect(b64.status()).toBe(200);
  }
  const noFace = await request.post('/api/predict', {
    multipart: { image: { name: 'n.png', mimeType: 'image/png', buffer: asset(manifest.noFace) } },
  });
  expect([noFace.status(), (await noFace.json()).error]).toEqual([422, 'no face detected in the image']);
  const notImage = await request.post('/api/predict', {
    multipart: { image: { name: 'x.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not an image at all') } },
  });
  expect(notImage.status()).toBe(400);
  expect((await notImage.json()).error).toMatch(/not a readable image/);
  const corrupt = asset(manifest.noFace).subarray(0, 60);
  expect(
    (
      await request.post('/api/predict', {
        multipart: { image: { name: 'c.png', mimeType: 'image/png', buffer: corrupt } },
      })
    ).status(),
  ).toBe(400);
  const tooBig = await request.post('/api/predict', {
    multipart: { image: { name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(6 * 1024 * 1024, 1) } },
  });
  expect([tooBig.status(), (await tooBig.json()).error]).toEqual([413, expect.stringMatching(/limit is 5 MB/)]);
  expect(
    (await request.post('/api/predict', { data: 'plain', headers: { 'content-type': 'text/plain' } })).status(),
  ).toBe(415);
  expect((await request.post('/api/predict', { data: { image: '###' } })).status()).toBe(400);
  expect((await request.post('/api/predict', { data: { image: 'aGk=', modelVersion: 999 } })).status()).toBe(404);
  // And it keeps serving after all that.
  expect(
    (
      await request.post('/api/predict', {
        multipart: { image: { name: 'n.png', mimeType: 'image/png', buffer: asset(manifest.noFace) } },
      })
    ).status(),
  ).toBe(422);
});

test('promoting another version switches the demo page to it without a reload; rollback returns', async ({
  page,
  browser,
}) => {
  await open(page, '/demo');
  await expect(page.getByTestId('demo-stats')).toContainText(/model v\d+/, { timeout: 60_000 });
  const before = Number((await page.getByTestId('demo-stats').textContent())!.match(/model v(\d+)/)![1]);
  // The dashboard flow test trained another version; promote it on the Models page.
  const admin = await browser.newPage();
  await open(admin, '/models');
  const other = admin.locator('[data-testid^="promote-v"]').first();
  test.skip((await other.count()) === 0, 'only one model version exists');
  const target = Number((await other.getAttribute('data-testid'))!.replace('promote-v', ''));
  admin.once('dialog', (d) => void d.accept('e2e promotion'));
  await other.click();
  await expect(admin.getByTestId('serving')).toHaveText(`v${target}`);
  await expect(page.getByTestId('demo-stats')).toContainText(`model v${target}`, { timeout: 15_000 });
  admin.once('dialog', (d) => void d.accept('e2e rollback'));
  await admin.getByTestId('rollback').click();
  await expect(admin.getByTestId('serving')).toHaveText(`v${before}`);
  await expect(page.getByTestId('demo-stats')).toContainText(`model v${before}`, { timeout: 15_000 });
  await admin.close();
});
