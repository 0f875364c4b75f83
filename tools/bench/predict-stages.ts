/**
 * Where one server-side prediction spends its time, on one thread as a prediction thread runs
 * it: decode, detect and classify (median ms over N runs) on a 640x480 frame with one test face,
 * then the largest TF.js kernels of detection and classification (tf.profile). Uses the shipped
 * model (models/default) or the bundle in --model DIR; no database or server needed. Prints tables; not a test.
 *   npx tsx tools/bench/predict-stages.ts [--runs 40] [--model DIR]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { artifactMetaFromLayersModelJson, loadInferenceModel, loadModelFromArtifact } from '@moodlab/cnn/inference';
import { describeBackend, selectBackend } from '@moodlab/cnn/backend';
import { classifyFaces, detectFaces } from '@moodlab/faces';
import { decodeImage, loadNodeFaceApi } from '@moodlab/faces/node';
import { readModelBundle } from '@moodlab/runs';
import { SHIPPED_MODEL_DIR } from '../seed/default-model';
import { detectableFaces, framePng } from '../demo/detectable-faces';
import { printMachine } from './machine';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '40' }, model: { type: 'string' } },
});
const runs = Number(values.runs);

const backend = await selectBackend({ prefer: 'wasm', threads: 1, measureGemm: true });
printMachine(backend);
const api = await loadNodeFaceApi(['tiny']);
const { faces, source } = await detectableFaces(1);
const png = await framePng(faces);
const bundle = await readModelBundle(values.model ?? SHIPPED_MODEL_DIR);
const meta = artifactMetaFromLayersModelJson(bundle.modelJson);
const trained = await loadModelFromArtifact(meta, bundle.weights);
const folded = await loadInferenceModel(meta, bundle.weights);
const image = await decodeImage(png);
const found = await detectFaces(api, image.tensor, { kind: 'tiny', inputSize: 'auto' });
if (!found.length) throw new Error('the test frame has no detectable face');

async function median(f: () => unknown): Promise<number> {
  for (let i = 0; i < 5; i++) await f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

console.log(
  `${describeBackend(backend)}; frame 640x480 PNG (${png.length} bytes), one face from ${source}; median of ${runs} runs`,
);
const stages = [
  { stage: 'decode (sharp + float32 tensor)', ms: await median(async () => (await decodeImage(png)).tensor.dispose()) },
  {
    stage: 'detect (tiny, auto input size)',
    ms: await median(() => detectFaces(api, image.tensor, { kind: 'tiny', inputSize: 'auto' })),
  },
  {
    stage: 'classify, model as trained',
    ms: await median(() => classifyFaces(trained.model, trained.metadata, image.tensor, found)),
  },
  {
    stage: 'classify, BatchNorm folded (served)',
    ms: await median(() => classifyFaces(folded.model, folded.metadata, image.tensor, found)),
  },
];
console.table(stages.map((s) => ({ ...s, ms: Number(s.ms.toFixed(2)) })));

async function topKernels(name: string, f: () => Promise<unknown> | unknown) {
  const profile = await tf.profile(f as () => tf.TensorContainer);
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const entry = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += k.kernelTimeMs as number;
    entry.calls++;
    byKernel.set(k.name, entry);
  }
  // Op wrappers (e.g. fusedConv2d__op) time the kernel inside them again: count kernels only.
  const rows = [...byKernel]
    .filter(([k]) => !k.endsWith('__op'))
    .sort((a, b) => b[1].ms - a[1].ms)
    .slice(0, 8);
  console.log(`${name}: ${profile.kernels.length} kernel calls`);
  console.table(rows.map(([kernel, { ms, calls }]) => ({ kernel, calls, ms: Number(ms.toFixed(2)) })));
}
await topKernels('detect', () => detectFaces(api, image.tensor, { kind: 'tiny', inputSize: 'auto' }));
await topKernels('classify (folded)', () => classifyFaces(folded.model, folded.metadata, image.tensor, found));
