/**
 * The training child process. CPU-bound TF.js work runs here so that the parent's event loop
 * stays free to renew the job lock and write to Postgres and Redis; the parent can also end a
 * cancelled run at once by killing this process.
 */
import { evaluateModel, loadModelFromArtifact, modelToArtifact } from '@moodlab/cnn/inference';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { selectBackend, describeBackend } from '@moodlab/cnn/backend';
import { trainModel } from '@moodlab/cnn/training';
import { SourcesChangedError } from '@moodlab/shared/node';
import {
  childMessageSchema,
  epochAnswerSchema,
  parentMessageSchema,
  type ChildMessage,
  type EpochAnswer,
} from './messages';

function send(msg: ChildMessage): Promise<void> {
  childMessageSchema.parse(msg);
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function handle(raw: unknown): Promise<void> {
  const msg = parentMessageSchema.parse(raw);
  const backend = await selectBackend({ prefer: msg.backend, threads: msg.threads, measureGemm: true });
  await send({ type: 'backend', name: describeBackend(backend) });
  const packMeta = packMetaSchema.parse(msg.dataset.meta);
  if (msg.type === 'train') {
    const hp = msg.hyperparameters;
    const validation = packMeta.splits.validation ? unpackSplit(packMeta, msg.dataset.data, 'validation') : undefined;
    let lastProgress = 0;
    const result = await trainModel({
      hyperparameters: hp,
      classNames: packMeta.classNames,
      train: unpackSplit(packMeta, msg.dataset.data, 'train'),
      validation,
      resumeFrom: msg.checkpoint ?? undefined,
      stoppedAtCheckpoint: msg.stoppedAtCheckpoint,
      initialModel: msg.initialModel ?? undefined,
      teachers: msg.teachers,
      replicas: msg.replicas,
      onProgress: (progress) => {
        // A few updates per second are enough for a live bar.
        const now = Date.now();
        if (now - lastProgress < 250 && progress.batch !== progress.batches) return;
        lastProgress = now;
        void send({ type: 'progress', progress });
      },
      onEpochEnd: async (metric, checkpoint) => {
        const answer = nextAnswer();
        await send({
          type: 'epoch',
          metric,
          checkpoint: { data: checkpoint.data, digest: checkpoint.digest, meta: checkpoint.meta },
        });
        return (await answer).type;
      },
    });
    const evaluation = validation
      ? evaluateModel(result.model, validation, packMeta.classNames, result.preprocessing)
      : null;
    const artifact = await modelToArtifact(result.model, {
      classNames: packMeta.classNames,
      preprocessing: result.preprocessing,
      architecture: hp.architecture,
    });
    await send({
      type: 'trained',
      history: result.history,
      best: result.best,
      stoppedEarly: result.stoppedEarly,
      averaged: result.averaged,
      recalibrated: result.recalibrated,
      model: { meta: artifact.meta, data: artifact.data },
      evaluation,
    });
  } else {
    const { model, metadata } = await loadModelFromArtifact(msg.model.meta, msg.model.data);
    const split = unpackSplit(packMeta, msg.dataset.data, msg.split);
    const report = evaluateModel(model, split, metadata.classNames, metadata.preprocessing, msg.flipTta);
    await send({ type: 'evaluated', report });
  }
}

// A worker killed with SIGKILL cannot kill us: stop when it goes away.
process.on('disconnect', () => process.exit(1));

/** The parent's answers to our epochs, in order (after the first message, which is the request). */
const answers: EpochAnswer[] = [];
let waiting: ((a: EpochAnswer) => void) | null = null;
function nextAnswer(): Promise<EpochAnswer> {
  const ready = answers.shift();
  return ready ? Promise.resolve(ready) : new Promise((resolve) => (waiting = resolve));
}

process.once('message', (raw) => {
  process.on('message', (answer) => {
    const parsed = epochAnswerSchema.parse(answer);
    if (waiting) {
      const w = waiting;
      waiting = null;
      w(parsed);
    } else answers.push(parsed);
  });
  handle(raw)
    .then(() => process.exit(0))
    .catch(async (err: unknown) => {
      await send({
        type: 'error',
        message: err instanceof Error ? err.message : String(err),
        sourcesChanged: err instanceof SourcesChangedError,
      }).catch(() => {});
      process.exit(1);
    });
});
