/**
 * What the dashboard keeps: its resident memory before, after each of several rounds of bad and
 * heavy requests (a 4 MB base64 image, an oversized upload, a zip that is not one, malformed JSON,
 * predictions with several model versions, evaluation views), and after a pause. Growth that
 * stops after the first round is the allocator's high-water mark; growth every round is a leak.
 * Prints a table; not a test.
 *   npx tsx tools/bench/dashboard-memory.ts [--rounds 5] [--without cell] [--without predict]
 * (needs a built dashboard and set-up's database; PREDICT_THREADS=0 predicts on the server's event loop)
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { createDb, listModelVersions } from '@moodlab/db';
import { toolsEnv } from '../env';
import { selectBackend } from '@moodlab/cnn/backend';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, without: { type: 'string', multiple: true } },
});
const PORT = 3198;
const BASE = `http://127.0.0.1:${PORT}`;
const db = createDb(toolsEnv.DATABASE_URL);
const versions = (await listModelVersions(db)).slice(0, 3);
const evaluations = await db.evaluation.findMany({ select: { id: true }, take: 4 });
await db.$disconnect();
if (!versions.length) throw new Error('no model version: run npm run setup first');

const server = spawn('npx', ['next', 'start', '-p', String(PORT), '-H', '127.0.0.1'], {
  cwd: 'apps/dashboard',
  env: { ...process.env, PREDICT_THREADS: process.env.PREDICT_THREADS ?? '2' },
  stdio: 'ignore',
  detached: true,
});
/** The Next server's own process (npx starts it as a child): the largest RSS in the group. */
async function rssMb(): Promise<number> {
  const out = await new Promise<string>((resolve) => {
    const ps = spawn('ps', ['-o', 'rss=', '-g', String(server.pid)]);
    let text = '';
    ps.stdout.on('data', (d: Buffer) => (text += d.toString()));
    ps.on('close', () => resolve(text));
  });
  return Math.max(...out.split('\n').filter(Boolean).map(Number)) / 1024;
}
for (let i = 0; ; i++) {
  if (i > 120) throw new Error('the dashboard did not start');
  if (
    await fetch(`${BASE}/api/datasets`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 500));
}

const face = await sharp({ create: { width: 1200, height: 900, channels: 3, background: { r: 128, g: 128, b: 128 } } })
  .jpeg({ quality: 100 })
  .toBuffer();
const big = await sharp({
  create: {
    width: 2600,
    height: 2000,
    channels: 3,
    background: '#808080',
    noise: { type: 'gaussian', mean: 128, sigma: 60 },
  },
})
  .png()
  .toBuffer();
const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const allRequests: [string, () => Promise<Response>][] = [
  ['4 MB image as base64 JSON', () => fetch(`${BASE}/api/predict`, json({ image: big.toString('base64') }))],
  ['malformed JSON', () => fetch(`${BASE}/api/runs`, { ...json({}), body: '{"datasetId":' })],
  [
    'not a zip, 20 MB',
    () => {
      const form = new FormData();
      form.set('name', 'memory-bench');
      form.set('file', new Blob([new Uint8Array(20 * 1024 * 1024)]), 'x.zip');
      return fetch(`${BASE}/api/datasets/import`, { method: 'POST', body: form });
    },
  ],
  ...versions.map((v): [string, () => Promise<Response>] => [
    `predict with v${v.version}`,
    () => fetch(`${BASE}/api/predict`, json({ image: face.toString('base64'), modelVersion: v.version })),
  ]),
  ...evaluations.map((e): [string, () => Promise<Response>] => [
    'confusion cell faces',
    () => fetch(`${BASE}/api/evaluations/${e.id}/cell?true=0&pred=0`),
  ]),
];

/** --without TEXT leaves out the requests whose name holds TEXT, to see what each kind keeps. */
const requests = allRequests.filter(([name]) => !(values.without ?? []).some((w) => name.includes(w)));
printMachine(await selectBackend({ prefer: 'wasm' }));
const rows: Record<string, string | number>[] = [{ moment: 'started', 'RSS MB': Math.round(await rssMb()) }];
const statuses = new Map<number, number>();
for (let round = 1; round <= Number(values.rounds); round++) {
  for (let repeat = 0; repeat < 10; repeat++)
    for (const [, send] of requests) {
      const res = await send();
      await res.arrayBuffer();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  rows.push({ moment: `after round ${round} (${requests.length * 10} requests)`, 'RSS MB': Math.round(await rssMb()) });
}
await new Promise((r) => setTimeout(r, 60_000));
rows.push({ moment: '60 s later', 'RSS MB': Math.round(await rssMb()) });
console.table(rows);
console.log(`statuses: ${[...statuses].map(([s, n]) => `${s} x${n}`).join(', ')}`);
process.kill(-server.pid!, 'SIGTERM');
