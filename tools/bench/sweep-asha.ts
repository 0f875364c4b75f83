/**
 * What ASHA saves: the same random sweep (same seed, so trial i tries the same values) run twice
 * on the workers, with ASHA and with the full budget, sequentially. Prints the epochs each spent,
 * the best trial each found and the wall time. Needs workers (`npm run worker`); not a test.
 *   npx tsx tools/bench/sweep-asha.ts [--dataset fer2013] [--trials 12] [--epochs 6] [--arch vgg-lite] [--eta 3]
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '@moodlab/cnn/backend';
import { createDb, getDatasetByName, getSweepWithTrials } from '@moodlab/db';
import { createRedis, createSweepQueue, createTrainQueue } from '@moodlab/jobs';
import { bestTrial, createSweep, formatMetric } from '@moodlab/runs';
import { sweepSpecSchema, type SweepSpecInput } from '@moodlab/shared';
import { toolsEnv } from '../env';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'fer2013' },
    trials: { type: 'string', default: '12' },
    epochs: { type: 'string', default: '6' },
    arch: { type: 'string', default: 'vgg-lite' },
    eta: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
  },
});
printMachine(await selectBackend({ prefer: 'wasm', threads: 1, measureGemm: true }));
const db = createDb(toolsEnv.DATABASE_URL);
const redis = createRedis(toolsEnv.REDIS_URL, 'client');
const deps = { db, trainQueue: createTrainQueue(redis), sweepQueue: createSweepQueue(redis) };
const dataset = await getDatasetByName(db, values.dataset!);
if (!dataset) throw new Error(`no dataset "${values.dataset}": import it first`);

const spec = (name: string, asha: boolean): SweepSpecInput => ({
  name,
  datasetId: dataset.id,
  base: { architecture: values.arch, recalibrateBatchNorm: 0, lrSchedule: 'cosine' },
  method: 'random',
  space: {
    learningRate: { kind: 'log-uniform', low: 0.0001, high: 0.003 },
    weightDecay: { kind: 'uniform', low: 0, high: 0.001 },
    labelSmoothing: { kind: 'uniform', low: 0, high: 0.2 },
    'augmentation.zoom': { kind: 'uniform', low: 0, high: 0.2 },
    'augmentation.shift': { kind: 'uniform', low: 0, high: 0.15 },
  },
  budget: { trials: Number(values.trials), parallelism: 1, maxEpochs: Number(values.epochs) },
  earlyTermination: asha ? { kind: 'asha', minEpochs: 1, eta: Number(values.eta) } : null,
  seed: Number(values.seed),
});

async function run(name: string, asha: boolean) {
  const started = Date.now();
  const sweep = await createSweep(deps, spec(name, asha));
  console.log(`${name}: sweep ${sweep.id}`);
  for (;;) {
    const s = await getSweepWithTrials(db, sweep.id);
    if (s && s.status !== 'running') {
      const parsed = sweepSpecSchema.parse(s.spec);
      const best = bestTrial(parsed, s.runs);
      return {
        sweep: name,
        trials: s.runs.length,
        'epochs spent': s.runs.reduce((n, r) => n + r.epochs.length, 0),
        'stopped early': s.runs.filter((r) => r.error?.startsWith('stopped at rung')).length,
        'best trial': best?.trialIndex ?? null,
        'best val accuracy': formatMetric(parsed, best?.score ?? null),
        bestScore: best?.score ?? null,
        'wall time': `${((Date.now() - started) / 60000).toFixed(1)} min`,
      };
    }
    await new Promise((r) => setTimeout(r, 5000));
  }
}

const tag = Date.now().toString(36);
const withAsha = await run(`bench-asha-${tag}`, true);
const full = await run(`bench-full-${tag}`, false);
const rows = [withAsha, full];
console.log(
  `${values.trials} random trials of ${values.arch} on ${dataset.name}, ${values.epochs} epochs each; ASHA rungs at 1, ${values.eta}, ... (eta ${values.eta}); one worker`,
);
console.table(rows.map(({ bestScore: _, ...r }) => r));
const share = withAsha['epochs spent'] / full['epochs spent'];
const gap = (full.bestScore ?? 0) - (withAsha.bestScore ?? 0);
console.log(
  `ASHA spent ${(share * 100).toFixed(0)}% of the full budget's epochs; its best is ${(gap * 100).toFixed(1)} points below the full-budget best (${gap <= 0.005 ? 'within' : 'not within'} 0.5 point)`,
);
await Promise.all([deps.trainQueue.close(), deps.sweepQueue.close()]);
redis.disconnect();
await db.$disconnect();
