/**
 * The live demo and the prediction API under load, against a running dashboard (default
 * http://127.0.0.1:3000, or --url): demo FPS in headless Chromium with a fake 640x480 camera
 * (1 and 4 faces; faces detected on every frame, and every 4th), the detection rate of the test faces, and /api/predict throughput and
 * latency with 10 and 50 concurrent clients (closed loop, autocannon). Prints tables; not a test.
 *   npx tsx tools/bench/demo.ts [--url http://127.0.0.1:3000] [--seconds 60] [--api-only] [--screenshot demo.png]
 * The server predicts on PREDICT_THREADS threads (default one per core; 0: on its event loop).
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { chromium } from 'playwright-core';
import { detectableFaces, framePng } from '../demo/detectable-faces';
import { composeFrame } from '../demo/test-frames';
import { writeY4m } from '../demo/write-y4m';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:3000' },
    seconds: { type: 'string', default: '60' },
    'api-only': { type: 'boolean', default: false },
    screenshot: { type: 'string' },
  },
});
const base = values.url!;
const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-demo-bench-'));
const { source, faces, tried } = await detectableFaces(4);
console.log(
  `test faces: ${source}; ${faces.length} of ${tried} tried were detected alone in a 640x480 frame (${((faces.length / tried) * 100).toFixed(0)}%)`,
);

async function demoFps(faceCount: number, detectEvery: number) {
  const video = path.join(dir, `camera-${faceCount}.y4m`);
  const frame = await composeFrame(faces.slice(0, faceCount));
  await writeY4m(
    video,
    Array.from({ length: 30 }, () => frame),
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
  const page = await browser.newPage();
  await page.goto(`${base}/demo`);
  await page.getByTestId('face-label').first().waitFor({ timeout: 60_000 });
  await page.getByTestId('detect-every').selectOption(String(detectEvery));
  await page.waitForTimeout(10_000);
  const stats = (await page.getByTestId('demo-stats').textContent()) ?? '';
  const labels = await page.getByTestId('face-label').count();
  if (values.screenshot && faceCount === 1 && detectEvery === 4)
    await page.screenshot({ path: values.screenshot, fullPage: true });
  await browser.close();
  const num = (re: RegExp) => Number(stats.match(re)?.[1] ?? NaN);
  return {
    faces: faceCount,
    'detect every': `${detectEvery} frame(s)`,
    detected: labels,
    backend: stats.match(/backend (\w+)/)?.[1],
    fps: num(/([\d.]+) FPS/),
    'detect ms': num(/detect (\d+) ms/),
    'classify ms': num(/classify (\d+) ms/),
  };
}

/** The multipart body of one upload, built once: the load generator should not be what is measured. */
function multipartBody(png: Buffer): { body: Buffer; contentType: string } {
  const boundary = 'moodlab-bench-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="frame.png"\r\nContent-Type: image/png\r\n\r\n`;
  return {
    body: Buffer.concat([Buffer.from(head), png, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * Closed-loop load with autocannon: `connections` clients, each sending the next request when
 * its last one is answered. Every response time is kept, for exact percentiles.
 */
async function apiLoad(connections: number, png: Buffer) {
  const { body, contentType } = multipartBody(png);
  const options = {
    url: `${base}/api/predict`,
    method: 'POST' as const,
    body,
    headers: { 'content-type': contentType },
    connections,
  };
  // Warm-up, untimed: every prediction thread loads its backend and models on first use.
  await autocannon({ ...options, amount: connections * 4 });
  const latencies: number[] = [];
  const seconds = Number(values.seconds);
  const cpu = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, duration: seconds }, (err, res) => (err ? reject(err) : resolve(res)));
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const clientCpu = process.cpuUsage(cpu);
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(0);
  return {
    connections,
    seconds,
    requests: latencies.length,
    'req/s': (latencies.length / seconds).toFixed(1),
    'p50 ms': q(0.5),
    'p95 ms': q(0.95),
    'p99 ms': q(0.99),
    errors: result.errors + result.timeouts + result.non2xx,
    'client CPU ms/req': ((clientCpu.user + clientCpu.system) / 1000 / Math.max(1, latencies.length)).toFixed(1),
  };
}

if (!values['api-only'])
  console.table([await demoFps(1, 1), await demoFps(1, 4), await demoFps(4, 1), await demoFps(4, 4)]);
const png = await framePng(faces.slice(0, 1));
console.table([await apiLoad(10, png), await apiLoad(50, png)]);
