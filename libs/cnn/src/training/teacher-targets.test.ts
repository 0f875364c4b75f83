import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { hyperparametersSchema } from '@moodlab/shared';
import { selectBackend } from '../backend/select-backend';
import { generateSyntheticFaces } from '../datasets/synthetic-faces';
import { getArchitecture } from './models/registry';
import { seedMathRandom } from './seeded-random';
import { computeGradients } from './step';
import { gatherTargets, teacherTargets } from './teacher-targets';

const faces = generateSyntheticFaces({ perClass: 4, seed: 3 });
const hp = hyperparametersSchema.parse({ architecture: 'small-cnn' });
const build = (seed: number) => getArchitecture('small-cnn').build({ imageSize: 48, numClasses: 7, seed });

/** The same faces, each mirrored left to right. */
function mirrored(split: typeof faces) {
  const { size } = split;
  const images = new Uint8Array(split.images.length);
  for (let i = 0; i < images.length; i++) {
    const x = i % size;
    images[i] = split.images[i - x + (size - 1 - x)]!;
  }
  return { ...split, images };
}

describe('knowledge distillation', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
  });

  it('averages the teachers over each face and its mirror, and softens their probabilities with the temperature', async () => {
    const teachers = [build(1), build(2)].map((model) => ({
      model,
      preprocessing: hp.preprocessing,
      architecture: 'small-cnn',
    }));
    const sharp = await teacherTargets(teachers, faces, 1);
    const soft = await teacherTargets(teachers, faces, 4);
    const k = 7;
    for (let row = 0; row < faces.labels.length; row++) {
      const sum = (t: Float32Array) => t.subarray(row * k, (row + 1) * k).reduce((s, p) => s + p, 0);
      expect(sum(sharp)).toBeCloseTo(1, 5);
      expect(sum(soft)).toBeCloseTo(1, 5);
      const max = (t: Float32Array) => Math.max(...t.subarray(row * k, (row + 1) * k));
      expect(max(soft)).toBeLessThan(max(sharp));
    }
    // A face and its mirror are one face to a flip-averaged teacher.
    const ofMirrors = await teacherTargets(teachers, mirrored(faces), 1);
    for (let i = 0; i < sharp.length; i++) expect(ofMirrors[i]).toBeCloseTo(sharp[i]!, 5);
    // One teacher alone gives other targets than the pair.
    expect(
      Math.max(...(await teacherTargets(teachers.slice(0, 1), faces, 1)).map((p, i) => Math.abs(p - sharp[i]!))),
    ).toBeGreaterThan(1e-3);
    expect(Array.from(gatherTargets(sharp, k, [2, 0]))).toEqual([
      ...sharp.subarray(2 * k, 3 * k),
      ...sharp.subarray(0, k),
    ]);
    for (const t of teachers) t.model.dispose();
  });

  it('pulls the model towards the teachers: with all the weight on one-hot teachers at T=1 the gradients are those of the labels, and other teachers move them', () => {
    const model = build(7);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const n = 8;
    const pixels = Float32Array.from(faces.images.subarray(0, n * 48 * 48));
    const labels = Int32Array.from(faces.labels.subarray(0, n));
    const oneHot = (ls: Int32Array) => {
      const t = new Float32Array(ls.length * 7);
      ls.forEach((l, i) => (t[i * 7 + l] = 1));
      return t;
    };
    const distil = { ...hp, distillWeight: 1, distillTemperature: 1 };
    // Dropout draws from Math.random: each pass gets the same masks.
    const step = (hpUsed: typeof hp, teacher: Float32Array | null) => {
      const restore = seedMathRandom('distil-test');
      try {
        return computeGradients(
          model,
          vars,
          { pixels, labels, teacher },
          { hp: hpUsed, numClasses: 7, classWeights: null },
        );
      } finally {
        restore();
      }
    };
    const plain = step(hp, null);
    const same = step(distil, oneHot(labels));
    const other = step(distil, oneHot(Int32Array.from(labels, (l) => (l + 1) % 7)));
    const diff = (a: Float32Array[], b: Float32Array[]) =>
      Math.max(...a.map((g, v) => Math.max(...g.map((x, i) => Math.abs(x - b[v]![i]!)))));
    expect(same.lossSum).toBeCloseTo(plain.lossSum, 4);
    expect(diff(same.grads, plain.grads)).toBeLessThan(1e-5);
    expect(diff(other.grads, plain.grads)).toBeGreaterThan(1e-3);
    model.dispose();
  });
});
