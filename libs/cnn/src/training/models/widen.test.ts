import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../backend/select-backend';
import { generateSyntheticFaces } from '../../datasets/synthetic-faces';
import { getArchitecture } from './registry';
import { widenInto } from './widen';

describe('widening a model (Net2WiderNet)', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
  });

  it('gives vgg-wide the function of a vgg-lite, BatchNorm statistics included', () => {
    const narrow = getArchitecture('vgg-lite').build({ imageSize: 48, numClasses: 7, seed: 3 });
    // Statistics and scales away from their initial values, so that copying them is tested.
    narrow.layers.forEach((layer, i) => {
      if (layer.getClassName() === 'BatchNormalization')
        layer.setWeights(
          layer.getWeights().map((w, k) => tf.randomUniform(w.shape, k === 3 ? 0.5 : -0.5, 1.5, 'float32', i)),
        );
    });
    const wide = getArchitecture('vgg-wide').build({ imageSize: 48, numClasses: 7, seed: 4 });
    widenInto(narrow, wide, 1);

    const faces = generateSyntheticFaces({ perClass: 2, seed: 9 });
    const x = tf.tensor4d(
      Float32Array.from(faces.images, (v) => v / 255),
      [faces.labels.length, 48, 48, 1],
    );
    const before = narrow.predict(x) as tf.Tensor;
    const after = wide.predict(x) as tf.Tensor;
    expect(tf.sub(before, after).abs().max().dataSync()[0]).toBeLessThan(1e-4);
    // The wide model is wider: its 6px block has 384 filters, half of them copies.
    expect(wide.countParams()).toBeGreaterThan(2 * narrow.countParams());
    tf.dispose([x, before, after]);
    narrow.dispose();
    wide.dispose();
  });

  it('refuses models of another layout', () => {
    const narrow = getArchitecture('small-cnn').build({ imageSize: 48, numClasses: 7, seed: 3 });
    const wide = getArchitecture('vgg-wide').build({ imageSize: 48, numClasses: 7, seed: 4 });
    expect(() => widenInto(narrow, wide, 1)).toThrow(/cannot widen/);
    narrow.dispose();
    wide.dispose();
  });
});
