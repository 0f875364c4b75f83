/**
 * Where a training step's time goes, kernel by kernel (tf.profile), for each architecture on
 * this machine's backend: one forward and backward pass of a batch, as trainModel runs it.
 * Prints a table per architecture; not a test. Compare MOODLAB_NATIVE_KERNELS=0 (XNNPACK).
 *   npx tsx tools/bench/step-profile.ts [--arch vgg-lite,seed-cnn] [--batch 64] [--top 12]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURES, computeGradients, getArchitecture } from '@moodlab/cnn/training';
import { selectBackend } from '@moodlab/cnn/backend';
import { hyperparametersSchema } from '@moodlab/shared';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: {
    arch: { type: 'string' },
    batch: { type: 'string', default: '64' },
    top: { type: 'string', default: '12' },
  },
});
const batch = Number(values.batch);
const backend = await selectBackend({ threads: 1, measureGemm: true });
printMachine(backend);

for (const name of values.arch ? values.arch.split(',') : Object.keys(ARCHITECTURES)) {
  const hp = hyperparametersSchema.parse({ architecture: name, batchSize: batch });
  const model = getArchitecture(name).build({ imageSize: 48, numClasses: 7, seed: 1 });
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const pixels = Float32Array.from({ length: batch * 48 * 48 }, (_, i) => ((i * 2654435761) >>> 24) / 255);
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 7);
  const step = () => computeGradients(model, vars, { pixels, labels }, { hp, numClasses: 7, classWeights: null });
  // Warm-up: kernel set-up, and the WASM heap growing to its working size (one step is not
  // enough: a growth inside the profiled step lands on whichever kernel allocates then).
  for (let i = 0; i < 3; i++) step();
  const t0 = performance.now();
  const info = await tf.profile(() => {
    step();
  });
  const wallMs = performance.now() - t0;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  // Ops ("name__op") wrap the kernels they call; count kernels only.
  for (const k of info.kernels.filter((k) => !k.name.endsWith('__op'))) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    entry.calls++;
    byKernel.set(k.name, entry);
  }
  const total = [...byKernel.values()].reduce((a, b) => a + b.ms, 0);
  const rows = [...byKernel.entries()]
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, Number(values.top))
    .map(([kernel, { ms, calls }]) => ({
      kernel,
      calls,
      ms: ms.toFixed(1),
      share: `${((ms / total) * 100).toFixed(1)}%`,
    }));
  console.log(
    `\n${name}: batch ${batch}, step ${wallMs.toFixed(0)} ms wall (profiled), kernels ${total.toFixed(0)} ms`,
  );
  console.table(rows);
  model.dispose();
}
