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
 * With --record FILE the full-budget trials are kept in FILE (JSON) as each ends, and only the
 * trials missing from it are trained, as ordinary runs with the sweep's values (the workers run
 * WORKER_CONCURRENCY of them at a time): a measurement too long for one session goes on in the
 * next, on a fresh machine, where the last one stopped. --sweep ID with --record first adds that
 * sweep's completed trials to FILE. The replay then reads FILE; each record names its machine.
 * --recorded-only replays the trials FILE holds without training the rest (an interim figure).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { z } from 'zod';
import { describeBackend, selectBackend } from '@moodlab/cnn/backend';
import { createDb, getDatasetByName, getRun, getSweepWithTrials } from '@moodlab/db';
import { createRedis, createSweepQueue, createTrainQueue } from '@moodlab/jobs';
import {
  bestTrial,
  createSweep,
  formatMetric,
  proposeTrial,
  simulateAsha,
  startRun,
  trialHyperparameters,
  trialScore,
} from '@moodlab/runs';
import { ashaRungs, sweepSpecSchema, TERMINAL_STATUSES, type SweepSpecInput } from '@moodlab/shared';
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
    record: { type: 'string' },
    'recorded-only': { type: 'boolean', default: false },
  },
});
const backend = await selectBackend({ prefer: 'wasm', threads: 1, measureGemm: true });
printMachine(backend);
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

/** A full-budget trial's curve as the replay needs it, and as --record keeps it between sessions. */
const trialRecordSchema = z.object({
  trialIndex: z.number().int().min(0),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  epochs: z.array(
    z.object({ valAccuracy: z.number().nullable(), valLoss: z.number().nullable(), durationMs: z.number() }),
  ),
  /** The run's time outside its epochs: start-up, dataset load, end of run. */
  overheadMs: z.number(),
  /** The backend the trial ran on, as the run recorded it (CPU, kernels). */
  machine: z.string(),
  finishedAt: z.string(),
});
type TrialRecord = z.infer<typeof trialRecordSchema>;
const recordFileSchema = z.object({
  format: z.literal('moodlab-sweep-record-v1'),
  bench: z.object({ dataset: z.string(), arch: z.string(), trials: z.number(), epochs: z.number(), seed: z.number() }),
  trials: z.array(trialRecordSchema),
});

/** A finished run as a record (its epochs in order). */
function recordOf(
  r: {
    trialIndex: number | null;
    trialParams: unknown;
    backend?: string | null;
    createdAt: Date;
    startedAt?: Date | null;
    finishedAt: Date | null;
    epochs: { valAccuracy: number | null; valLoss: number | null; durationMs: number }[];
  },
  trialIndex = r.trialIndex ?? 0,
): TrialRecord {
  const epochs = r.epochs.map(({ valAccuracy, valLoss, durationMs }) => ({ valAccuracy, valLoss, durationMs }));
  const epochMs = epochs.reduce((n, e) => n + e.durationMs, 0);
  // From the start of its training, not its creation: recorded trials are queued all at once.
  const runMs = r.finishedAt ? r.finishedAt.getTime() - (r.startedAt ?? r.createdAt).getTime() : epochMs;
  return {
    trialIndex,
    params: trialRecordSchema.shape.params.parse(r.trialParams ?? {}),
    epochs,
    overheadMs: Math.max(0, runMs - epochMs),
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}; ${r.backend ?? describeBackend(backend)}`,
    finishedAt: (r.finishedAt ?? new Date()).toISOString(),
  };
}

/** The completed trials of a finished sweep (a failed or cancelled trial has no full curve). */
const recordsOf = (s: FinishedSweep): TrialRecord[] =>
  s.runs.filter((r) => r.status === 'completed').map((r) => recordOf(r));

/** The full-budget row from records. */
function recordsRow(records: TrialRecord[], wall: string) {
  const parsed = sweepSpecSchema.parse(spec('full', false));
  const scored = records.map((r) => ({ trialIndex: r.trialIndex, score: trialScore(parsed, r.epochs) ?? -Infinity }));
  const best = scored.reduce((a, b) => (b.score > a.score ? b : a));
  return {
    sweep: 'full budget',
    trials: records.length,
    'epochs spent': records.reduce((n, r) => n + r.epochs.length, 0),
    'stopped early': 0,
    'best trial': best.trialIndex,
    'best val accuracy': formatMetric(parsed, best.score),
    bestScore: best.score,
    'epoch time': minutes(records.flatMap((r) => r.epochs).reduce((n, e) => n + e.durationMs, 0)),
    'wall time': wall,
  };
}

/**
 * The full-budget sweep's curves under ASHA's rule, as the row a live ASHA sweep would print: its
 * trials `parallelism` at a time on their recorded epoch times, plus each trial's recorded time
 * outside epochs (start-up, dataset load, end of run), so the wall time is an estimate.
 */
function replayedRow(
  records: TrialRecord[],
  parallelism: number,
  earlyTermination?: { kind: 'asha'; minEpochs: number; eta: number },
  log = true,
) {
  const base = spec('replay', true);
  const ashaSpec = sweepSpecSchema.parse({ ...base, earlyTermination: earlyTermination ?? base.earlyTermination });
  const rungs = ashaRungs(ashaSpec);
  const curves = records.map((r) => ({
    trialIndex: r.trialIndex,
    scores: r.epochs.map((e) => trialScore(ashaSpec, [e]) ?? -Infinity),
    epochMs: r.epochs.map((e) => e.durationMs),
    overheadMs: r.overheadMs,
  }));
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

/**
 * --record: the trials FILE lacks, trained as ordinary runs with the sweep's values; each is added
 * to FILE as it completes, so that a session that ends loses only the trials then running.
 */
async function recordedTrials(file: string): Promise<TrialRecord[]> {
  const key = {
    dataset: dataset!.name,
    arch: values.arch!,
    trials: Number(values.trials),
    epochs: Number(values.epochs),
    seed: Number(values.seed),
  };
  const record = existsSync(file)
    ? recordFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
    : { format: 'moodlab-sweep-record-v1' as const, bench: key, trials: [] as TrialRecord[] };
  if (!isDeepStrictEqual(record.bench, key))
    throw new Error(`${file} records ${JSON.stringify(record.bench)}, not this run's ${JSON.stringify(key)}`);
  const save = (r: TrialRecord) => {
    record.trials = [...record.trials.filter((t) => t.trialIndex !== r.trialIndex), r].sort(
      (a, b) => a.trialIndex - b.trialIndex,
    );
    writeFileSync(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
  if (values.sweep) for (const r of recordsOf(await finished(values.sweep))) save(r);
  const full = sweepSpecSchema.parse(spec(`record-${Date.now().toString(36)}`, false));
  const missing = Array.from({ length: key.trials }, (_, i) => i).filter(
    (i) => !values['recorded-only'] && !record.trials.some((t) => t.trialIndex === i),
  );
  console.log(
    `${file}: ${record.trials.length} of ${key.trials} trials recorded; training ${missing.join(', ') || 'none'}`,
  );
  const pending = new Map<string, number>();
  for (const i of missing) {
    const params = proposeTrial(full, i);
    const run = await startRun(deps, {
      datasetId: dataset!.id,
      hyperparameters: trialHyperparameters(full, params),
      tags: ['sweep-record', `trial-${i}`],
    });
    pending.set(run.id, i);
  }
  while (pending.size) {
    await new Promise((r) => setTimeout(r, 10_000));
    for (const [id, i] of pending) {
      const run = await getRun(db, id);
      if (!run || !TERMINAL_STATUSES.includes(run.status)) continue;
      pending.delete(id);
      if (run.status !== 'completed') {
        console.log(`trial ${i}: ${run.status} (${run.error ?? 'no reason'}), not recorded`);
        continue;
      }
      save(recordOf({ ...run, trialParams: proposeTrial(full, i) }, i));
      console.log(`trial ${i} recorded (${record.trials.length} of ${key.trials})`);
    }
  }
  return record.trials;
}

const tag = Date.now().toString(36);
let rows: ReturnType<typeof row>[];
let records: TrialRecord[] | null = null;
if (values.record) {
  records = await recordedTrials(values.record);
  // One line per CPU and kernels: each run's description also carries the SGEMM rate it measured.
  const machines = [...new Set(records.map((r) => r.machine.replace(/, SGEMM [\d.]+ GFLOP\/s on 1 thread/, '')))];
  console.log(
    `replaying ${records.length} recorded trials, from ${machines.length} machine(s):\n  ${machines.join('\n  ')}`,
  );
  const parallelism = Number(values.parallelism);
  rows = [
    replayedRow(records, parallelism),
    ...(parallelism > 1 ? [replayedRow(records, 1, undefined, false)] : []),
    recordsRow(records, '–'),
  ];
} else if (values.replay) {
  const full = values.sweep
    ? { sweep: await finished(values.sweep), wallMs: null }
    : await run(`bench-full-${tag}`, false);
  records = recordsOf(full.sweep);
  const parallelism = Number(values.parallelism);
  rows = [
    replayedRow(records, parallelism),
    ...(parallelism > 1 ? [replayedRow(records, 1, undefined, false)] : []),
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
if (records) {
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
      const r = replayedRow(records!, Number(values.parallelism), et, false);
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
