/**
 * Where a data-parallel training step's time goes (trainModel with two replica threads on WASM): the
 * coordinator's phases, median over steps, and the same half batch computed alone for comparison,
 * so that the cost of two replicas sharing the machine shows apart from the protocol's.
 * Prints a table; not a test.
 *   npx tsx tools/bench/replica-step.ts [--arch vgg-lite] [--batch 64] [--steps 10]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  applyGradients,
  averageGradients,
  computeGradients,
  getArchitecture,
  ReplicaPool,
  ArrayAdam,
  arraysFor,
} from '@moodlab/cnn/training';
import { describeBackend, selectBackend } from '@moodlab/cnn/backend';
import { gatherBatch, createRng } from '@moodlab/cnn/datasets';
import { hyperparametersSchema } from '@moodlab/shared';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: 'vgg-lite' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '10' },
    'tf-adam': { type: 'boolean', default: false },
  },
});
const batch = Number(values.batch),
  steps = Number(values.steps),
  half = batch / 2,
  px = 48 * 48;
const backend = await selectBackend({ threads: 1, measureGemm: true });
printMachine(backend);
const hp = hyperparametersSchema.parse({
  architecture: values.arch,
  batchSize: batch,
  augmentation: { enabled: true },
});
const model = getArchitecture(hp.architecture).build({ imageSize: 48, numClasses: 7, seed: 1 });
const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
const loss = { hp, numClasses: 7, classWeights: null };
/** Our gradients' arrays, reused every step as trainModel does. */
const ownGrads = arraysFor(vars.map((v) => v.size));
const optimizer = values['tf-adam'] ? tf.train.adam(0.001) : new ArrayAdam(0.001);
const images = Uint8Array.from({ length: batch * steps * px }, (_, i) => (i * 2654435761) >>> 24);
const rng = createRng('replica-step');
const times: Record<string, number[]> = {};
const timed = async <T>(phase: string, f: () => T | Promise<T>): Promise<T> => {
  const t = performance.now();
  const out = await f();
  (times[phase] ??= []).push(performance.now() - t);
  return out;
};
const batchAt = (s: number) => {
  const idx = Int32Array.from({ length: batch }, (_, i) => s * batch + i);
  return { pixels: gatherBatch(images, 48, idx, hp.augmentation, rng), labels: Int32Array.from(idx, (i) => i % 7) };
};

// The half batch alone: nothing else runs.
for (let s = 0; s < steps; s++) {
  const { pixels, labels } = batchAt(s);
  await timed('half batch, alone', () =>
    computeGradients(model, vars, { pixels: pixels.subarray(0, half * px), labels: labels.subarray(0, half) }, loss),
  );
}

const pool = await ReplicaPool.start(1, { hyperparameters: hp, numClasses: 7, classWeights: null, backend: 'wasm' });
for (let s = 0; s < steps; s++) {
  const stepStart = performance.now();
  const { pixels, labels } = await timed('augment the batch', () => batchAt(s));
  // Boxed, so that timing the send does not wait for the gradients.
  const remote = await timed('send weights and half batch', () => ({
    gradients: pool.step(0, vars, [
      { pixels: pixels.subarray(half * px), labels: labels.subarray(half), teacher: null },
    ]),
  }));
  const ours = await timed('half batch, beside the replica', () =>
    computeGradients(
      model,
      vars,
      { pixels: pixels.subarray(0, half * px), labels: labels.subarray(0, half) },
      loss,
      ownGrads,
    ),
  );
  const theirs = await timed('wait for the replica', () => remote.gradients);
  const avg = await timed('average gradients', () => averageGradients([ours, ...theirs]));
  await timed('apply (Adam)', () => applyGradients(optimizer, vars, avg));
  (times['whole step'] ??= []).push(performance.now() - stepStart);
}
pool.close();

// The first two steps warm up kernels and allocations.
const median = (xs: number[]) => {
  const s = xs.slice(2).sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
console.log(
  `${hp.architecture}, batch ${batch} as 2 x ${half}, ${describeBackend(backend)}, median of ${steps - 2} steps`,
);
console.table(Object.entries(times).map(([phase, xs]) => ({ phase, ms: median(xs).toFixed(1) })));
process.exit(0);
