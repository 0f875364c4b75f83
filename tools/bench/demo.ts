/**
 * The live demo and the prediction API under load, against a running dashboard (default
 * http://127.0.0.1:3000, or --url): demo FPS in headless Chromium with a fake 640x480 camera
 * (1 and 4 faces; faces detected on every frame, and every 4th), the detection rate of the test faces, and /api/predict throughput and
 * latency with 10 and 50 concurrent clients (closed loop). Prints tables; not a test.
 *   npx tsx tools/bench/demo.ts [--url http://127.0.0.1:3000] [--seconds 60] [--api-only] [--screenshot demo.png]
 * The server predicts on PREDICT_THREADS threads (default one per core; 0: on its event loop).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { detectableFaces, framePng } from '../demo/detectable-faces';
import { composeFrame } from '../demo/test-frames';
import { writeY4m } from '../demo/write-y4m';

const { values } = parseArgs({ options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, seconds: { type: 'string', default: '60' }, 'api-only': { type: 'boolean', default: false }, screenshot: { type: 'string' } } });
const base = values.url!;
const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-demo-bench-'));
const { source, faces, tried } = await detectableFaces(4);
console.log(`test faces: ${source}; ${faces.length} of ${tried} tried were detected alone in a 640x480 frame (${((faces.length / tried) * 100).toFixed(0)}%)`);

async function demoFps(faceCount: number, detectEvery: number) {
  const video = path.join(dir, `camera-${faceCount}.y4m`);
  const frame = await composeFrame(faces.slice(0, faceCount));
  await writeY4m(video, Array.from({ length: 30 }, () => frame));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  const page = await browser.newPage();
  await page.goto(`${base}/demo`);
  await page.getByTestId('face-label').first().waitFor({ timeout: 60_000 });
  await page.getByTestId('detect-every').selectOption(String(detectEvery));
  await page.waitForTimeout(10_000);
  const stats = (await page.getByTestId('demo-stats').textContent()) ?? '';
  const labels = await page.getByTestId('face-label').count();
  if (values.screenshot && faceCount === 1 && detectEvery === 4) await page.screenshot({ path: values.screenshot, fullPage: true });
  await browser.close();
  const num = (re: RegExp) => Number(stats.match(re)?.[1] ?? NaN);
  return { faces: faceCount, 'detect every': `${detectEvery} frame(s)`, detected: labels, backend: stats.match(/backend (\w+)/)?.[1], fps: num(/([\d.]+) FPS/), 'detect ms': num(/detect (\d+) ms/), 'classify ms': num(/classify (\d+) ms/) };
}

async function post(body: Buffer): Promise<Response> {
  const form = new FormData();
  form.set('image', new Blob([new Uint8Array(body)], { type: 'image/png' }), 'f.png');
  const res = await fetch(`${base}/api/predict`, { method: 'POST', body: form });
  await res.arrayBuffer();
  return res;
}

/** Closed-loop load: `connections` clients each sending the next request when the last answers. */
async function apiLoad(connections: number, body: Buffer) {
  // Warm-up, untimed: every prediction thread loads its backend and models on first use.
  await Promise.all(Array.from({ length: connections }, () => post(body).catch(() => null)));
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + Number(values.seconds) * 1000;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (Date.now() < end) {
      const t = performance.now();
      try {
        if (!(await post(body)).ok) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }
  }));
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
  return { connections, seconds: Number(values.seconds), requests: latencies.length, 'req/s': (latencies.length / Number(values.seconds)).toFixed(1), 'p50 ms': q(0.5), 'p95 ms': q(0.95), 'p99 ms': q(0.99), errors };
}

if (!values['api-only']) console.table([await demoFps(1, 1), await demoFps(1, 4), await demoFps(4, 1), await demoFps(4, 4)]);
const png = await framePng(faces.slice(0, 1));
console.table([await apiLoad(10, png), await apiLoad(50, png)]);
