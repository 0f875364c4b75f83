import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getArchitecture } from '../training/models/registry';
import { foldBatchNorm } from './fold-batchnorm';

/** Gives every BatchNorm statistics far from their initial 0/1, as training would. */
function randomizeBatchNorm(model: tf.LayersModel, seed: number) {
  model.layers
    .filter((l) => l.getClassName() === 'BatchNormalization')
    .forEach((l, i) => {
      l.setWeights(
        l
          .getWeights()
          .map((w, j) =>
            j === 3
              ? tf.randomUniform(w.shape, 0.2, 3, 'float32', seed + i)
              : tf.randomNormal(w.shape, j === 0 ? 1 : 0, 0.5, 'float32', seed + 10 * i + j),
          ),
      );
    });
}

describe('foldBatchNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of ['vgg-lite', 'seed-cnn', 'small-cnn']) {
    it(`${name}: the folded model computes the same probabilities with fewer layers`, async () => {
      const model = getArchitecture(name).build({ imageSize: 48, numClasses: 7, seed: 3 });
      randomizeBatchNorm(model, 5);
      const folded = await foldBatchNorm(model);
      const x = tf.randomUniform([4, 48, 48, 1], 0, 1, 'float32', 9);
      const [a, b] = [model.predict(x) as tf.Tensor, folded.predict(x) as tf.Tensor];
      const maxDiff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
      expect(maxDiff).toBeLessThan(1e-5);
      expect(folded.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
      expect(folded.layers.some((l) => l.getClassName() === 'Dropout')).toBe(false);
      expect(folded.layers.length).toBeLessThan(model.layers.length);
      // The trained model is left as it was.
      expect(model.layers.filter((l) => l.getClassName() === 'BatchNormalization').length).toBeGreaterThan(0);
    });
  }

  it('leaves a BatchNorm after a non-linear layer alone', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 4, activation: 'tanh' }),
        tf.layers.batchNormalization({}),
        tf.layers.dense({ units: 3, useBias: false }),
        tf.layers.batchNormalization({}),
      ],
    });
    randomizeBatchNorm(model, 1);
    const folded = await foldBatchNorm(model);
    expect(folded.layers.map((l) => l.getClassName())).toEqual(['Dense', 'BatchNormalization', 'Dense']);
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 2);
    const diff = tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, folded.predict(x) as tf.Tensor))).dataSync()[0]!;
    expect(diff).toBeLessThan(1e-5);
  });
});
