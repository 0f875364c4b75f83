import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../architecture';
import { convBnRelu, denseBnRelu, softmaxHead } from '../layers';

/**
 * The classic Keras CNN of the original notebook project (~4.5M parameters at 48px): four conv
 * blocks (64 3x3, 128 5x5, 512 3x3, 512 3x3) with BatchNorm, ReLU, 2x2 max-pool and dropout 0.25,
 * then dense 256 and 512 with BatchNorm, ReLU and dropout, softmax over the classes.
 */
export const seedCnn: Architecture = {
  name: 'seed-cnn',
  description:
    'classic Keras FER CNN: conv 64/3, 128/5, 512/3, 512/3 + dense 256, 512 (BatchNorm, ReLU, max-pool, dropout 0.25); ~4.5M parameters',
  build({ imageSize, numClasses, seed }) {
    const model = tf.sequential({ name: 'seed_cnn' });
    (
      [
        [64, 3],
        [128, 5],
        [512, 3],
        [512, 3],
      ] as const
    ).forEach(([filters, kernelSize], i) => {
      convBnRelu(model, {
        filters,
        kernelSize,
        seed: seed + i,
        ...(i === 0 ? { inputShape: [imageSize, imageSize, 1] } : {}),
      });
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      model.add(tf.layers.dropout({ rate: 0.25 }));
    });
    model.add(tf.layers.flatten());
    [256, 512].forEach((units, i) => {
      denseBnRelu(model, units, seed + 10 + i);
      model.add(tf.layers.dropout({ rate: 0.25 }));
    });
    softmaxHead(model, numClasses, seed + 40);
    return model;
  },
};
