import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../architecture';
import { convBnRelu, softmaxHead } from '../layers';

/**
 * Designed for accuracy per CPU-second on 48px faces: one cheap conv at full resolution, then
 * two 3x3 convs per block at 24, 12 and 6 px, and global average pooling instead of large dense
 * layers (~0.83M parameters, about a tenth of seed-cnn's multiply-adds).
 */
export const vggLite: Architecture = {
  name: 'vgg-lite',
  description:
    'conv 32 @48px, then 2x conv per block 64 @24, 128 @12, 192 @6 (BatchNorm, ReLU, max-pool, dropout), global average pool, dropout 0.4, dense 7; ~0.83M parameters',
  build({ imageSize, numClasses, seed }) {
    const model = tf.sequential({ name: 'vgg_lite' });
    convBnRelu(model, { filters: 32, kernelSize: 3, seed, inputShape: [imageSize, imageSize, 1] });
    model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    [64, 128, 192].forEach((filters, i) => {
      convBnRelu(model, { filters, kernelSize: 3, seed: seed + 1 + 2 * i });
      convBnRelu(model, { filters, kernelSize: 3, seed: seed + 2 + 2 * i });
      if (i < 2) model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      model.add(tf.layers.dropout({ rate: 0.1 * (i + 1) }));
    });
    model.add(tf.layers.globalAveragePooling2d({}));
    model.add(tf.layers.dropout({ rate: 0.4 }));
    softmaxHead(model, numClasses, seed + 40);
    return model;
  },
};
