import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { preprocessingSchema } from '@moodlab/shared';
import { selectBackend } from '../backend/select-backend';
import { toModelInput } from '../inference/preprocess';
import { generateSyntheticFaces } from '../datasets/synthetic-faces';
import { getArchitecture } from './models/registry';
import { isBatchNorm, recalibrateBatchNorm } from './recalibrate-batchnorm';

const p = preprocessingSchema.parse({});
const split = generateSyntheticFaces({ perClass: 12, seed: 3 });

function batchNormLayers(model: tf.LayersModel) {
  return model.layers.filter(isBatchNorm);
}

function movingStats(layer: tf.layers.Layer): { mean: Float32Array; variance: Float32Array } {
  const w = layer.getWeights(); // gamma, beta, moving mean, moving variance
  return { mean: w[2]!.dataSync() as Float32Array, variance: w[3]!.dataSync() as Float32Array };
}

/** The reference: each layer's input for all images in one tensor, its moments taken directly. */
function directMoments(model: tf.LayersModel, layer: tf.layers.Layer, pixels: Uint8Array, count: number) {
  return tf.tidy(() => {
    const upTo = tf.model({ inputs: model.inputs, outputs: layer.input as tf.SymbolicTensor });
    const y = upTo.predict(toModelInput(pixels, count, p)) as tf.Tensor;
    const m = tf.moments(y.reshape([-1, y.shape.at(-1)!]), 0);
    return { mean: m.mean.dataSync() as Float32Array, variance: m.variance.dataSync() as Float32Array };
  });
}

function expectClose(actual: Float32Array, expected: Float32Array) {
  let worst = 0;
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (Math.abs(expected[i]!) + 1e-3));
  expect(worst).toBeLessThan(1e-4);
}

describe('BatchNorm recalibration', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
  });

  // seed-cnn has BatchNorm after convolutions and after dense layers (rank-4 and rank-2 inputs).
  it.each(['vgg-lite', 'seed-cnn'])(
    "sets %s's moving statistics to the exact moments of each layer's input, layer after layer",
    (arch) => {
      const model = getArchitecture(arch).build({ imageSize: 48, numClasses: 7, seed: 1 });
      const before = tf.memory().numTensors;
      const count = split.labels.length;
      let calls = 0;
      const used = recalibrateBatchNorm(model, split, p, {
        images: 10_000,
        seed: 1,
        batchSize: 17,
        onLayer: () => {
          calls += 1;
        },
      });
      expect(used).toBe(count);
      const layers = batchNormLayers(model);
      expect(calls).toBe(layers.length);
      // Fresh layers hold mean 0 and variance 1; the new values must be the data's.
      expect(Math.abs(movingStats(layers[0]!).mean[0]!)).toBeGreaterThan(1e-3);
      for (const layer of layers) {
        // Checked in order against a model that already carries the new statistics above each layer.
        const direct = directMoments(model, layer, split.images, count);
        const stored = movingStats(layer);
        expectClose(stored.mean, direct.mean);
        expectClose(stored.variance, direct.variance);
      }
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    },
  );

  it('uses a seeded random subset when asked for fewer images', () => {
    const stats = (seed: number) => {
      const model = getArchitecture('vgg-lite').build({ imageSize: 48, numClasses: 7, seed: 1 });
      expect(recalibrateBatchNorm(model, split, p, { images: 20, seed })).toBe(20);
      const s = movingStats(batchNormLayers(model)[0]!).mean;
      model.dispose();
      return s;
    };
    expect(stats(4)).toEqual(stats(4));
    expect(stats(4)).not.toEqual(stats(5));
  });
});
