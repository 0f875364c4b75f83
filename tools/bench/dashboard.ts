/**
 * Seeds a separate database with 1,000 runs (one of them 200 epochs long) and times the runs
 * table and the run page of a dashboard started on it. Prints a table; not a test.
 *   npx tsx tools/bench/dashboard.ts   (needs a built dashboard: cd apps/dashboard && npx next build)
 */
import { spawn } from 'node:child_process';
import { createDb, registerDataset } from '@moodlab/db';
import { EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { resetServices } from '../../tests/reset-services';
import { databaseUrlFor } from '@moodlab/db/urls';

const DB = databaseUrlFor('moodlab_bench_e2e');
const PORT = 3199;
await resetServices(DB, 'redis://127.0.0.1:6379/3');
const db = createDb(DB);
const ds = await registerDataset(db, {
  name: 'bench',
  source: 'synthetic',
  classNames: [...EMOTIONS],
  counts: {},
  imageSize: 48,
  digest: 'bench',
  pack: { meta: {}, data: new Uint8Array(1) },
});
const hp = hyperparametersSchema.parse({});
const statuses = ['completed', 'failed', 'cancelled', 'completed', 'running'] as const;
const t0 = Date.now();
const runs = Array.from({ length: 1000 }, (_, i) => ({
  datasetId: ds.id,
  architecture: i % 3 ? 'vgg-lite' : 'small-cnn',
  hyperparameters: { ...hp, epochs: i === 0 ? 200 : 20 },
  seed: i,
  status: statuses[i % statuses.length]!,
  tags: [`group-${i % 10}`],
  startedAt: new Date(Date.now() - 3_600_000),
  finishedAt: new Date(),
}));
await db.run.createMany({ data: runs });
const ids = (await db.run.findMany({ select: { id: true }, orderBy: { seed: 'asc' } })).map((r) => r.id);
await db.epochMetric.createMany({
  data: ids.flatMap((runId, i) =>
    Array.from({ length: i === 0 ? 200 : 20 }, (_, epoch) => ({
      runId,
      epoch,
      loss: 2 / (epoch + 1),
      accuracy: 0.3 + epoch / 400,
      valLoss: 2.1 / (epoch + 1),
      valAccuracy: 0.3 + epoch / 450,
      learningRate: 1e-3,
      durationMs: 60_000,
    })),
  ),
});
console.log(`seeded 1,000 runs and ${199 * 20 + 200} epoch rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
await db.$disconnect();

const server = spawn('npx', ['next', 'start', '-p', String(PORT)], {
  cwd: 'apps/dashboard',
  stdio: 'ignore',
  detached: true,
  env: { ...process.env, DATABASE_URL: DB, REDIS_URL: 'redis://127.0.0.1:6379/3' },
});
try {
  const base = `http://127.0.0.1:${PORT}`;
  for (
    let i = 0;
    i < 100 &&
    !(await fetch(`${base}/api/datasets`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  )
    await new Promise((r) => setTimeout(r, 200));
  const time = async (path: string) => {
    const ms: number[] = [];
    for (let i = 0; i < 6; i++) {
      const t = performance.now();
      const res = await fetch(base + path);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`${path}: ${res.status}`);
      ms.push(performance.now() - t);
    }
    const warm = ms.slice(1).sort((a, b) => a - b);
    return {
      page: path.startsWith('/compare') ? '/compare (10 runs)' : path.replace(ids[0]!, '<200-epoch run>'),
      'first ms': ms[0]!.toFixed(0),
      'median ms': warm[2]!.toFixed(0),
      'max ms': warm.at(-1)!.toFixed(0),
    };
  };
  console.table([
    await time('/'),
    await time('/api/runs'),
    await time(`/runs/${ids[0]}`),
    await time(`/api/runs/${ids[0]}`),
    await time(`/compare?ids=${ids.slice(0, 10).join(',')}`),
  ]);
} finally {
  if (server.pid) process.kill(-server.pid, 'SIGTERM');
}
