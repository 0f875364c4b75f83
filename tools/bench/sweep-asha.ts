/**
 * What ASHA saves: the same random sweep (same seed, so trial i tries the same values) run twice
 * on the workers, with ASHA and with the full budget, sequentially. Prints the epochs each spent,
 * the best trial each found and the wall time. Needs workers (`npm run worker`); not a test.
 *   npx tsx tools/bench/sweep-asha.ts [--dataset fer2013] [--trials 12] [--epochs 6] [--arch vgg-lite] [--eta 3] [--parallelism 1]
 * With --replay it runs only the full-budget sweep (or reads a finished one, --sweep ID) and
 * replays ASHA's rule on its recorded curves (simulateAsha): trials in index order, --parallelism
 * at a time, each epoch taking the time it took in the full-budget sweep. Training is deterministic
 * per seed, so this is the course of the live ASHA sweep for a third less compute; its wall time is
 * an estimate (recorded epoch times, plus each trial's recorded time outside epochs). With
 * --parallelism above 1 it also prints the course one trial at a time.
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '@moodlab/cnn/backend';
import { createDb, getDatasetByName, getSweepWithTrials } from '@moodlab/db';
import { createRedis, createSweepQueue, createTrainQueue } from '@moodlab/jobs';
import { bestTrial, createSweep, formatMetric, simulateAsha, trialScore } from '@moodlab/runs';
import { ashaRungs, sweepSpecSchema, type SweepSpecInput } from '@moodlab/shared';
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
    parallelism: { type: 'string', default: '1' },
    replay: { type: 'boolean', default: false },
    sweep: { type: 'string' },
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
  budget: { trials: Number(values.trials), parallelism: Number(values.parallelism), maxEpochs: Number(values.epochs) },
  earlyTermination: asha ? { kind: 'asha', minEpochs: 1, eta: Number(values.eta) } : null,
  seed: Number(values.seed),
});

const minutes = (ms: number) => `${(ms / 60000).toFixed(1)} min`;

async function finished(id: string) {
  for (;;) {
    const s = await getSweepWithTrials(db, id);
    if (!s) throw new Error(`no sweep ${id}`);
    if (s.status !== 'running') return s;
    await new Promise((r) => setTimeout(r, 5000));
  }
}

type FinishedSweep = Awaited<ReturnType<typeof finished>>;

async function run(name: string, asha: boolean) {
  const started = Date.now();
  const created = await createSweep(deps, spec(name, asha));
  console.log(`${name}: sweep ${created.id}`);
  const s = await finished(created.id);
  return { sweep: s, wallMs: Date.now() - started };
}

function row(name: string, s: FinishedSweep, wall: string) {
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
    'epoch time': minutes(s.runs.flatMap((r) => r.epochs).reduce((n, e) => n + e.durationMs, 0)),
    'wall time': wall,
  };
}

const ashaSetting = (rungs: number[], eta: number) => `ASHA (rungs at epochs ${rungs.join(', ')}; eta ${eta})`;

/**
 * The full-budget sweep's curves under ASHA's rule, as the row a live ASHA sweep would print: its
 * trials `parallelism` at a time on their recorded epoch times, plus each trial's recorded time
 * outside epochs (start-up, dataset load, end of run), so the wall time is an estimate.
 */
function replayedRow(
  full: FinishedSweep,
  parallelism: number,
  earlyTermination?: { kind: 'asha'; minEpochs: number; eta: number },
  log = true,
) {
  const base = spec('replay', true);
  const ashaSpec = sweepSpecSchema.parse({ ...base, earlyTermination: earlyTermination ?? base.earlyTermination });
  const rungs = ashaRungs(ashaSpec);
  // Only finished curves replay (the trials column counts them): a failed or cancelled trial has no full curve.
  const curves = full.runs
    .filter((r) => r.status === 'completed')
    .map((r) => {
      const epochMs = r.epochs.map((e) => e.durationMs);
      const runMs = r.finishedAt ? r.finishedAt.getTime() - r.createdAt.getTime() : 0;
      return {
        trialIndex: r.trialIndex ?? 0,
        scores: r.epochs.map((e) => trialScore(ashaSpec, [e]) ?? -Infinity),
        epochMs,
        overheadMs: Math.max(0, runMs - epochMs.reduce((a, b) => a + b, 0)),
      };
    });
  const { trials: replayed, wallMs } = simulateAsha(curves, rungs, ashaSpec.earlyTermination!.eta, parallelism);
  const best = replayed.reduce((a, b) => (b.score > a.score ? b : a));
  const epochMs = replayed.reduce((n, t) => {
    const curve = curves.find((c) => c.trialIndex === t.trialIndex)!;
    return n + curve.epochMs.slice(0, t.epochs).reduce((a, b) => a + b, 0);
  }, 0);
  if (log)
    for (const t of replayed)
      if (t.stoppedAtRung)
        console.log(`  trial ${t.trialIndex}: stopped at rung ${t.stoppedAtRung} (epoch ${t.epochs})`);
  return {
    sweep: `${ashaSetting(rungs, ashaSpec.earlyTermination!.eta)}, replayed ${parallelism} at a time`,
    trials: replayed.length,
    'epochs spent': replayed.reduce((n, t) => n + t.epochs, 0),
    'stopped early': replayed.filter((t) => t.stoppedAtRung).length,
    'best trial': best.trialIndex,
    'best val accuracy': formatMetric(ashaSpec, best.score),
    bestScore: best.score,
    'epoch time': minutes(epochMs),
    'wall time': `${minutes(wallMs)} (estimated)`,
  };
}

const tag = Date.now().toString(36);
let rows: ReturnType<typeof row>[];
let fullSweep: FinishedSweep | null = null;
if (values.replay) {
  const full = values.sweep
    ? { sweep: await finished(values.sweep), wallMs: null }
    : await run(`bench-full-${tag}`, false);
  fullSweep = full.sweep;
  const parallelism = Number(values.parallelism);
  rows = [
    replayedRow(full.sweep, parallelism),
    ...(parallelism > 1 ? [replayedRow(full.sweep, 1, undefined, false)] : []),
    row('full budget', full.sweep, full.wallMs === null ? '–' : minutes(full.wallMs)),
  ];
} else {
  const withAsha = await run(`bench-asha-${tag}`, true);
  const full = await run(`bench-full-${tag}`, false);
  rows = [row('ASHA', withAsha.sweep, minutes(withAsha.wallMs)), row('full budget', full.sweep, minutes(full.wallMs))];
}
const withAsha = rows[0]!;
const full = rows[rows.length - 1]!;
console.log(
  `${values.trials} random trials of ${values.arch} on ${dataset.name}, ${values.epochs} epochs each; ASHA rungs at epochs ${ashaRungs(sweepSpecSchema.parse(spec('rungs', true))).join(', ')} (eta ${values.eta}); ${values.parallelism} trial(s) at a time`,
);
console.table(rows.map(({ bestScore: _, ...r }) => r));
const share = withAsha['epochs spent'] / full['epochs spent'];
const gap = (full.bestScore ?? 0) - (withAsha.bestScore ?? 0);
console.log(
  `ASHA spent ${(share * 100).toFixed(0)}% of the full budget's epochs; its best is ${(gap * 100).toFixed(1)} points below the full-budget best (${gap <= 0.005 ? 'within' : 'not within'} 0.5 point)`,
);
if (fullSweep) {
  // The same curves under other rung settings: what each would have spent and found, at no cost.
  const budget = { trials: 1, parallelism: 1, maxEpochs: Number(values.epochs) };
  const settings = [1, 2].flatMap((minEpochs) =>
    [2, 3, 4]
      .map((eta) => ({ kind: 'asha' as const, minEpochs, eta }))
      .filter((et) => ashaRungs({ earlyTermination: et, budget }).length),
  );
  console.log('other ASHA settings, replayed on the same curves');
  console.table(
    settings.map((et) => {
      const r = replayedRow(fullSweep, Number(values.parallelism), et, false);
      return {
        setting: ashaSetting(ashaRungs({ earlyTermination: et, budget }), et.eta),
        'epochs spent': `${r['epochs spent']} (${((r['epochs spent'] / full['epochs spent']) * 100).toFixed(0)}%)`,
        'best trial': r['best trial'],
        'points below the full-budget best': (((full.bestScore ?? 0) - r.bestScore) * 100).toFixed(1),
      };
    }),
  );
}
await Promise.all([deps.trainQueue.close(), deps.sweepQueue.close()]);
redis.disconnect();
await db.$disconnect();
