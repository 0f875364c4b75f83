/**
 * moodlab: import, train, watch, resume, evaluate and export without the dashboard.
 *   npx tsx tools/cli/moodlab.ts import ../shared/datasets/fer2013 --name fer2013
 *   npx tsx tools/cli/moodlab.ts train --dataset fer2013 --arch vgg-lite --epochs 40 --augment --class-weights --schedule cosine
 *   npx tsx tools/cli/moodlab.ts watch <runId> | resume <runId> [--epochs N] [--average-last N] | cancel <runId>
 *   npx tsx tools/cli/moodlab.ts evaluate --version 3 --dataset fer2013 --split validation --tta
 *   npx tsx tools/cli/moodlab.ts recalibrate --version 3 [--average-with 4 ...] [--dataset fer2013] [--images 8192]   (a new version: exact BatchNorm statistics, after a weight average when asked)
 *   npx tsx tools/cli/moodlab.ts export --version 3 --out models/default   (model.json, weights.bin, card.json)
 *   npx tsx tools/cli/moodlab.ts register-model models/default --promote "note"
 *   npx tsx tools/cli/moodlab.ts import-model model.h5 --dataset fer2013 --classes fer2013-csv --normalization scale11
 *   npx tsx tools/cli/moodlab.ts export --version 3 --format keras --out model.h5
 *   npx tsx tools/cli/moodlab.ts sweep create --spec sweep.json | sweep watch <id> | sweep stop <id>
 * Training runs on workers (start one with `npm run worker`); DATABASE_URL and REDIS_URL as for the apps.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@moodlab/cnn/backend';
import { createDb, getDataset, getDatasetByName, getModelVersionByNumber, getEvaluation, getRun } from '@moodlab/db';
import {
  createEvaluateQueue,
  createRedis,
  createSweepQueue,
  createTrainQueue,
  evaluateResultSchema,
} from '@moodlab/jobs';
import {
  cancelRun,
  importDataset,
  promote,
  queueEvaluation,
  prepareImport,
  importOptionsSchema,
  type ImportSource,
  modelBundleOf,
  readModelBundle,
  registerModelBundle,
  resumeRun,
  resumeRunRequestSchema,
  startRun,
  writeModelBundle,
  createSweep,
  stopSweep,
  sweepView,
} from '@moodlab/runs';
import { recalibrateModelVersion } from '@moodlab/runs/training';
import { importKerasFile, kerasFileOf, kerasImportRequestSchema } from '@moodlab/runs/keras';
import {
  errorMessage,
  formatPercent,
  describeProgress,
  TERMINAL_STATUSES,
  hyperparametersSchema,
  classOrderFromText,
  CLASS_ORDER_PRESET_NAMES,
  NORMALIZATIONS,
  type SweepView,
} from '@moodlab/shared';
import { toolsEnv } from '../env';
import { progressBar } from './progress';
import { printEpochs, printEvaluation } from './tables';

const db = createDb(toolsEnv.DATABASE_URL);
const [command, ...rest] = process.argv.slice(2);

/** The queues the CLI enqueues on, over one Redis connection; close() ends both. */
async function queue() {
  const redis = createRedis(toolsEnv.REDIS_URL, 'client');
  const trainQueue = createTrainQueue(redis);
  const evaluateQueue = createEvaluateQueue(redis);
  return {
    redis,
    trainQueue,
    evaluateQueue,
    close: async () => {
      await Promise.all([trainQueue.close(), evaluateQueue.close()]);
      redis.disconnect();
    },
  };
}

async function importCmd() {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      size: { type: 'string', default: '48' },
      'on-problem': { type: 'string', default: 'skip' },
    },
  });
  const src = positionals[0];
  if (!src || !values.name)
    throw new Error('usage: import <folder|archive.zip|fer2013.csv> --name NAME [--size 48] [--on-problem skip|fail]');
  const bar = progressBar('decoding');
  const started = Date.now();
  const source: ImportSource = src.toLowerCase().endsWith('.zip')
    ? { kind: 'zip', fileName: path.basename(src), bytes: new Uint8Array(await readFile(src)) }
    : { kind: (await stat(src)).isDirectory() ? 'folder' : 'csv', path: src };
  // The CLI reads the user's own disk: no import roots to confine it to.
  const { payload } = await prepareImport(
    db,
    {
      name: values.name,
      source,
      imageSize: Number(values.size),
      onProblem: importOptionsSchema.shape.onProblem.parse(values['on-problem']),
    },
    null,
  );
  const summary = await importDataset(db, payload, (done, total) => {
    if (done % 500 === 0 || done === total) bar.update(done, total || done);
  });
  bar.stop();
  const ds = (await getDataset(db, summary.datasetId))!;
  const report = ds.report;
  if (!report) throw new Error(`dataset ${ds.name} was stored without its import report`);
  console.log(
    `imported "${ds.name}" (${ds.id}) in ${((Date.now() - started) / 1000).toFixed(1)} s, digest ${ds.digest.slice(0, 16)}`,
  );
  console.table({
    files: report.files,
    ...Object.fromEntries(Object.entries(report.kept).map(([k, v]) => [`kept ${k}`, v])),
    undecodable: report.undecodable.length,
    blank: report.blank.length,
    'duplicates within a split': report.duplicatesWithinSplit,
    'conflicting labels (dropped)': report.conflictingLabels,
    'also in an evaluation split (dropped from train)': report.crossSplitDuplicates,
    'unknown class folders': report.unknownClasses.join(', ') || 0,
  });
  console.table(ds.counts);
}

async function watch(runId: string) {
  const bar = progressBar('training');
  for (;;) {
    const run = await getRun(db, runId);
    if (!run) throw new Error(`Unknown run id ${runId}`);
    const p = run.progress;
    if (p) bar.update(Math.round(p.fraction * 1000), 1000, `${run.status}, ${describeProgress(p)}`);
    if (TERMINAL_STATUSES.includes(run.status)) {
      bar.stop();
      printEpochs(run.epochs);
      console.log(`run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''}; backend ${run.backend ?? '-'}`);
      const latest = run.modelVersions.at(-1);
      const ev = latest?.evaluations[0];
      if (latest && ev) {
        console.log(`model version v${latest.version}`);
        printEvaluation(ev);
      }
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A numeric option as a number, absent stays absent (the schema then applies its default). */
const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

async function trainCmd() {
  const { values } = parseArgs({
    args: rest,
    options: {
      dataset: { type: 'string' },
      arch: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      optimizer: { type: 'string' },
      schedule: { type: 'string' },
      augment: { type: 'boolean', default: false },
      zoom: { type: 'string' },
      shift: { type: 'string' },
      brightness: { type: 'string' },
      contrast: { type: 'string' },
      gamma: { type: 'string' },
      blur: { type: 'string' },
      'class-weights': { type: 'boolean', default: false },
      'class-weight-power': { type: 'string' },
      patience: { type: 'string' },
      seed: { type: 'string' },
      'weight-decay': { type: 'string' },
      'label-smoothing': { type: 'string' },
      'average-last': { type: 'string' },
      'recalibrate-bn': { type: 'string' },
      'init-from': { type: 'string' },
      'distill-from': { type: 'string', multiple: true },
      'distill-weight': { type: 'string' },
      'distill-temperature': { type: 'string' },
      normalization: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'no-wait': { type: 'boolean', default: false },
    },
  });
  if (!values.dataset)
    throw new Error(
      [
        'usage: train --dataset NAME [--arch vgg-lite] [--epochs N] [--schedule cosine] [--init-from VERSION]',
        '  [--augment [--zoom F] [--shift F] [--brightness F] [--contrast F] [--gamma F] [--blur P]]',
        '  [--class-weights [--class-weight-power 0.5]] [--average-last N] [--recalibrate-bn IMAGES]',
        '  [--distill-from VERSION ... [--distill-weight 0.5] [--distill-temperature 2]] ...',
      ].join('\n'),
    );
  const ds = await getDatasetByName(db, values.dataset);
  if (!ds) throw new Error(`Unknown dataset "${values.dataset}"`);
  const hp = hyperparametersSchema.parse(
    JSON.parse(
      JSON.stringify({
        architecture: values.arch,
        epochs: num(values.epochs),
        batchSize: num(values['batch-size']),
        learningRate: num(values.lr),
        optimizer: values.optimizer,
        lrSchedule: values.schedule,
        earlyStoppingPatience: num(values.patience),
        seed: num(values.seed),
        weightDecay: num(values['weight-decay']),
        labelSmoothing: num(values['label-smoothing']),
        averageLastEpochs: num(values['average-last']),
        recalibrateBatchNorm: num(values['recalibrate-bn']),
        initFrom: num(values['init-from']),
        distillFrom: values['distill-from']?.map(Number),
        distillWeight: num(values['distill-weight']),
        distillTemperature: num(values['distill-temperature']),
        classWeighting: values['class-weights'],
        classWeightPower: num(values['class-weight-power']),
        augmentation: {
          enabled: values.augment,
          zoom: num(values.zoom),
          shift: num(values.shift),
          brightness: num(values.brightness),
          contrast: num(values.contrast),
          gamma: num(values.gamma),
          blur: num(values.blur),
        },
        preprocessing: { imageSize: ds.imageSize, normalization: values.normalization },
      }),
    ),
  );
  const q = await queue();
  const run = await startRun(
    { db, trainQueue: q.trainQueue },
    { datasetId: ds.id, hyperparameters: hp, tags: values.tag ?? [] },
    'cli',
  );
  await q.close();
  console.log(`queued run ${run.id}`);
  if (!values['no-wait']) await watch(run.id);
}

async function evaluateCmd() {
  const { values } = parseArgs({
    args: rest,
    options: {
      version: { type: 'string' },
      dataset: { type: 'string' },
      split: { type: 'string', default: 'validation' },
      tta: { type: 'boolean', default: false },
    },
  });
  if (!values.version || !values.dataset)
    throw new Error('usage: evaluate --version N --dataset NAME [--split validation] [--tta]');
  const mv = await getModelVersionByNumber(db, Number(values.version));
  if (!mv) throw new Error(`Unknown model version ${values.version}`);
  const ds = await getDatasetByName(db, values.dataset);
  if (!ds) throw new Error(`Unknown dataset "${values.dataset}"`);
  const q = await queue();
  const { evaluateQueue } = q;
  try {
    const started = Date.now();
    const { jobId } = await queueEvaluation({ db, evaluateQueue }, mv.id, {
      datasetId: ds.id,
      split: values.split,
      flipTta: values.tta,
    });
    console.log(`queued evaluation job ${jobId}; a worker computes it`);
    await printWhenEvaluated(evaluateQueue, jobId, `v${mv.version} on ${ds.name}`, started);
  } finally {
    await q.close();
  }
}

/** Waits for a queued evaluation, then prints its table. */
async function printWhenEvaluated(
  evaluateQueue: Awaited<ReturnType<typeof queue>>['evaluateQueue'],
  jobId: string,
  label: string,
  started = Date.now(),
) {
  for (;;) {
    const job = await evaluateQueue.getJob(jobId);
    if (!job) throw new Error(`evaluation job ${jobId} vanished from the queue`);
    const state = await job.getState();
    if (state === 'failed') throw new Error(`evaluation failed: ${job.failedReason}`);
    if (state === 'completed') {
      const { evaluationId } = evaluateResultSchema.parse(job.returnvalue);
      const ev = await getEvaluation(db, evaluationId);
      if (!ev) throw new Error(`evaluation ${evaluationId} is not in the database`);
      console.log(`${label}/${ev.split} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      printEvaluation(ev);
      return;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function recalibrateCmd() {
  const { values } = parseArgs({
    args: rest,
    options: {
      version: { type: 'string' },
      dataset: { type: 'string' },
      images: { type: 'string' },
      'average-with': { type: 'string', multiple: true },
    },
  });
  if (!values.version) {
    throw new Error('usage: recalibrate --version N [--average-with M ...] [--dataset NAME] [--images 8192]');
  }
  await selectBackend();
  const bar = progressBar('BatchNorm layers');
  const started = Date.now();
  const { outcome, version } = await recalibrateModelVersion(
    db,
    {
      version: num(values.version)!,
      dataset: values.dataset,
      images: num(values.images),
      averageWith: values['average-with']?.map(Number),
    },
    (done, total) => bar.update(done, total),
  );
  bar.stop();
  const pct = (a: number | null) => formatPercent(a, 2, '-');
  console.log(
    `v${values.version}${values['average-with'] ? ` averaged with v${values['average-with'].join(', v')}` : ''}: BatchNorm statistics recomputed over ${outcome.images} training images in ${((Date.now() - started) / 1000).toFixed(1)} s; validation accuracy ${pct(outcome.valAccuracyBefore)} -> ${pct(outcome.valAccuracy)}`,
  );
  console.log(version === null ? 'it validated worse: nothing stored' : `stored as model v${version}`);
}

async function exportCmd() {
  const { values } = parseArgs({
    args: rest,
    options: { version: { type: 'string' }, out: { type: 'string' }, format: { type: 'string', default: 'bundle' } },
  });
  if (!values.version || !values.out || !['bundle', 'keras'].includes(values.format))
    throw new Error(
      'usage: export --version N --out DIR [--format bundle]  |  export --version N --format keras --out FILE.h5',
    );
  if (values.format === 'keras') {
    const { bytes } = await kerasFileOf(db, { version: Number(values.version) });
    await writeFile(values.out, bytes);
    console.log(`wrote ${values.out} (v${values.version} as Keras HDF5, ${(bytes.byteLength / 1e6).toFixed(1)} MB)`);
    return;
  }
  const bundle = await modelBundleOf(db, Number(values.version));
  await writeModelBundle(values.out, bundle);
  const val = bundle.card.evaluations.find((e) => e.split === 'validation');
  console.log(
    `wrote ${values.out}/{model.json,weights.bin,card.json} (v${values.version}, ${bundle.card.architecture}, ${(bundle.weights.byteLength / 1e6).toFixed(1)} MB${val ? `, validation accuracy ${(val.accuracy * 100).toFixed(1)}%` : ''})`,
  );
}

async function importModelCmd() {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      classes: { type: 'string' },
      normalization: { type: 'string' },
      'no-evaluate': { type: 'boolean', default: false },
      promote: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || !values.dataset)
    throw new Error(
      `usage: import-model FILE.h5|FILE.keras --dataset NAME [--classes ${CLASS_ORDER_PRESET_NAMES.join('|')}|a,b,...] [--normalization ${NORMALIZATIONS.join('|')}] [--no-evaluate] [--promote "note"]`,
    );
  const ds = await getDatasetByName(db, values.dataset);
  if (!ds) throw new Error(`Unknown dataset "${values.dataset}"`);
  await selectBackend();
  const q = await queue();
  try {
    const result = await importKerasFile(
      { db, evaluateQueue: q.evaluateQueue },
      { fileName: path.basename(file), bytes: new Uint8Array(await readFile(file)) },
      kerasImportRequestSchema.parse({
        datasetId: ds.id,
        classOrder: classOrderFromText(values.classes),
        normalization: values.normalization,
        evaluate: !values['no-evaluate'],
      }),
    );
    if (!result.created) {
      console.log(`${file} holds the same weights as model v${result.version}; nothing imported`);
      return;
    }
    const how = result.imported!;
    console.log(
      `imported ${how.fileName} (Keras ${how.kerasVersion ?? 'version not recorded'}, ${how.layout}) as model v${result.version}, run ${result.runId}; ` +
        `outputs [${how.classOrder.join(', ')}] reordered to [${ds.classNames.join(', ')}], normalization ${how.normalization} (${how.settingsFrom === 'file' ? 'recorded in the file' : 'as given'})`,
    );
    if (values.promote !== undefined) {
      await promote(db, result.modelVersionId, { note: values.promote });
      console.log(`promoted v${result.version}`);
    }
    if (result.evaluationJobId)
      await printWhenEvaluated(q.evaluateQueue, result.evaluationJobId, `v${result.version} on ${ds.name}`);
  } finally {
    await q.close();
  }
}

/** The queues a sweep needs: its controller's and the trials'. */
async function sweepDeps() {
  const q = await queue();
  const sweepQueue = createSweepQueue(q.redis);
  return {
    deps: { db, trainQueue: q.trainQueue, sweepQueue },
    close: async () => {
      await sweepQueue.close();
      await q.close();
    },
  };
}

function printSweep(view: SweepView) {
  console.log(
    `sweep ${view.name} (${view.id}): ${view.status}${view.note ? ` — ${view.note}` : ''}; ${view.trials.length}/${view.planned} trials, ${view.epochsSpent} epochs`,
  );
  console.table(
    view.trials.map((t) => ({
      trial: t.trialIndex,
      status: t.status,
      epochs: t.epochs,
      rung: t.rung,
      [view.spec.metric]: t.metric,
      ...Object.fromEntries(
        Object.entries(t.params).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toPrecision(3)) : v]),
      ),
      note: t.note ?? '',
    })),
  );
}

async function watchSweep(id: string) {
  const bar = progressBar('trials');
  for (;;) {
    const view = await sweepView(db, id);
    const ended = view.trials.filter((t) => TERMINAL_STATUSES.includes(t.status)).length;
    bar.update(ended, view.planned);
    if (view.status !== 'running') {
      bar.stop();
      printSweep(view);
      return;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function sweepCmd() {
  const [sub, ...args] = rest;
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { spec: { type: 'string' }, 'no-watch': { type: 'boolean', default: false } },
  });
  const usage = 'usage: sweep create --spec sweep.json [--no-watch] | sweep watch <sweepId> | sweep stop <sweepId>';
  if (sub === 'create') {
    if (!values.spec) throw new Error(usage);
    const spec: unknown = JSON.parse(await readFile(values.spec, 'utf8'));
    const { deps, close } = await sweepDeps();
    const sweep = await createSweep(deps, spec).finally(close);
    console.log(`sweep ${sweep.id} created; a worker's controller starts its trials`);
    if (!values['no-watch']) await watchSweep(sweep.id);
  } else if (sub === 'watch' && positionals[0]) await watchSweep(positionals[0]);
  else if (sub === 'stop' && positionals[0]) {
    const { deps, close } = await sweepDeps();
    const result = await stopSweep(deps, positionals[0]).finally(close);
    console.log(result.stopped ? `sweep ${positionals[0]} stopped` : `sweep ${positionals[0]} is ${result.status}`);
  } else throw new Error(usage);
}

async function registerModelCmd() {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { promote: { type: 'string' } },
  });
  if (!positionals[0]) throw new Error('usage: register-model DIR [--promote "note"]');
  const result = await registerModelBundle(db, await readModelBundle(positionals[0]));
  console.log(
    result.created
      ? `registered ${positionals[0]} as model v${result.version}`
      : `${positionals[0]} is already model v${result.version}`,
  );
  if (values.promote !== undefined) {
    await promote(db, result.id, { note: values.promote });
    console.log(`promoted v${result.version}`);
  }
}

async function resumeCmd() {
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      epochs: { type: 'string' },
      'average-last': { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
    },
  });
  const runId = positionals[0];
  if (!runId) throw new Error('usage: resume <runId> [--epochs N] [--average-last N] [--no-wait]');
  const request = resumeRunRequestSchema.parse({
    epochs: num(values.epochs),
    averageLastEpochs: num(values['average-last']),
  });
  const q = await queue();
  try {
    await resumeRun({ db, trainQueue: q.trainQueue }, runId, request);
  } finally {
    // Open connections would keep the process alive after an error.
    await q.close();
  }
  console.log(`run ${runId} queued again; it continues from its last checkpoint`);
  if (!values['no-wait']) await watch(runId);
}

async function cancelCmd() {
  const runId = rest[0];
  if (!runId) throw new Error('usage: cancel <runId>');
  const q = await queue();
  const result = await cancelRun({ db, trainQueue: q.trainQueue }, runId).finally(async () => {
    await q.close();
  });
  console.log(result.cancelled ? `run ${runId} cancelled` : `run ${runId} is ${result.status}; nothing to cancel`);
}

const commands: Record<string, () => Promise<void>> = {
  import: importCmd,
  train: trainCmd,
  evaluate: evaluateCmd,
  recalibrate: recalibrateCmd,
  export: exportCmd,
  'register-model': registerModelCmd,
  'import-model': importModelCmd,
  sweep: sweepCmd,
  resume: resumeCmd,
  cancel: cancelCmd,
  watch: () => (rest[0] ? watch(rest[0]) : Promise.reject(new Error('usage: watch <runId>'))),
};

try {
  const run = command ? commands[command] : undefined;
  if (!run) throw new Error(`usage: moodlab <${Object.keys(commands).join('|')}> ...`);
  await run();
} catch (err) {
  console.error(`error: ${errorMessage(err)}`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
