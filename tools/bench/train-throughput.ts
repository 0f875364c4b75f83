/**
 * Training and inference throughput of each architecture on this machine's TF.js backend, side
 * by side with the PyTorch CPU reference (../shared/bench/torch_reference.py) on the same network
 * (mirrored from our model.json), same batch, and as many torch threads as we use processes
 * (--replicas: data-parallel WASM processes). Prints a table; not a test.
 *   npx tsx tools/bench/train-throughput.ts [--arch seed-cnn,vgg-lite] [--batch 64] [--steps 16] [--replicas 2]
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURES, getArchitecture, trainModel } from '@moodlab/cnn/training';
import { describeBackend, selectBackend } from '@moodlab/cnn/backend';
import { layersModelJson, modelToArtifact, predictProbabilities } from '@moodlab/cnn/inference';
import { errorMessage, EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: {
    arch: { type: 'string' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '16' },
    backend: { type: 'string' },
    replicas: { type: 'string', default: '1' },
  },
});
const batch = Number(values.batch),
  steps = Number(values.steps),
  replicas = Number(values.replicas);
const TORCH = path.resolve('../shared/bench/torch_reference.py');
// Taken before the native kernels set OPENBLAS_CORETYPE in this process: PyTorch runs as the user's shell would run it.
const torchEnv = { ...process.env };
const backend = await selectBackend({ prefer: values.backend as 'wasm' | undefined, threads: 1, measureGemm: true });
printMachine(backend);
const archs = values.arch ? values.arch.split(',') : Object.keys(ARCHITECTURES);

function randomImages(n: number) {
  const images = new Uint8Array(n * 48 * 48);
  for (let i = 0; i < images.length; i++) images[i] = (i * 2654435761) >>> 24;
  return { size: 48, images, labels: Uint8Array.from({ length: n }, (_, i) => i % 7) };
}

const rows = [];
for (const name of archs) {
  const hp = hyperparametersSchema.parse({
    architecture: name,
    epochs: 1,
    batchSize: batch,
    augmentation: { enabled: true },
    recalibrateBatchNorm: 0,
  });
  const data = randomImages(batch * (steps + 2));
  const stamps: number[] = [];
  const inputMs: number[] = [];
  // Times whole training steps as trainModel runs them (augmentation and input pipeline included).
  const result = await trainModel({
    hyperparameters: hp,
    classNames: EMOTIONS,
    train: data,
    replicas,
    minImagesForReplicas: 0,
    onProgress: (p) => {
      if (p.phase === 'training') stamps[p.batch] = performance.now();
    },
  });
  const trainImgS = (batch * steps) / ((stamps[steps + 2]! - stamps[2]!) / 1000);
  // Input pipeline alone: gather + augment one batch.
  const { gatherBatch, createRng } = await import('@moodlab/cnn/datasets');
  const rng = createRng(1);
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    gatherBatch(
      data.images,
      48,
      Int32Array.from({ length: batch }, (_, k) => k),
      hp.augmentation,
      rng,
    );
    inputMs.push(performance.now() - t);
  }
  const t0 = performance.now();
  predictProbabilities(result.model, randomImages(batch * steps), hp.preprocessing, batch);
  const inferImgS = (batch * steps) / ((performance.now() - t0) / 1000);
  let torch: { train_img_s: number; infer_img_s: number } | null = null;
  if (existsSync(TORCH) && existsSync('/usr/bin/python3')) {
    const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-bench-'));
    const artifact = await modelToArtifact(result.model, {
      classNames: [...EMOTIONS],
      preprocessing: hp.preprocessing,
      architecture: name,
    });
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(layersModelJson(artifact.meta)));
    try {
      const out = execFileSync(
        '/usr/bin/python3',
        [
          TORCH,
          '--model',
          path.join(dir, 'model.json'),
          '--threads',
          String(replicas),
          '--batch',
          String(batch),
          '--steps',
          String(steps),
        ],
        { encoding: 'utf8', env: torchEnv },
      );
      torch = JSON.parse(out.trim().split('\n').at(-1)!);
    } catch (err) {
      console.error(`torch reference failed for ${name}: ${errorMessage(err).split('\n')[0]}`);
    }
  }
  rows.push({
    architecture: name,
    params: getArchitecture(name).build({ imageSize: 48, numClasses: 7, seed: 1 }).countParams(),
    backend: describeBackend(backend),
    batch,
    'processes (torch threads)': replicas,
    'train img/s': trainImgS.toFixed(1),
    'torch train img/s': torch?.train_img_s ?? '-',
    'train ratio': torch ? (trainImgS / torch.train_img_s).toFixed(2) : '-',
    'infer img/s': inferImgS.toFixed(0),
    'torch infer img/s': torch?.infer_img_s ?? '-',
    'input ms/batch': (inputMs.reduce((a, b) => a + b) / inputMs.length).toFixed(1),
    'step ms': ((batch / trainImgS) * 1000).toFixed(0),
    'peak RSS MB': (process.resourceUsage().maxRSS / 1024).toFixed(0),
  });
  result.model.dispose();
  tf.disposeVariables();
}
console.table(rows);
