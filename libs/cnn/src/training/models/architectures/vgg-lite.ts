import * as tf from '@tensorflow/tfjs';
import type { Architecture, ArchitectureOptions } from '../architecture';
import { convBnRelu, softmaxHead } from '../layers';

/**
 * The VGG-style layout both vgg architectures share, so that one can grow from the other
 * (models/widen.ts): one cheap conv at full resolution, then two 3x3 convs per block at 24, 12 and
 * 6 px, and global average pooling instead of large dense layers.
 */
function buildVgg(name: string, widths: readonly [number, number, number], opts: ArchitectureOptions): tf.Sequential {
  const { imageSize, numClasses, seed } = opts;
  const model = tf.sequential({ name });
  convBnRelu(model, { filters: 32, kernelSize: 3, seed, inputShape: [imageSize, imageSize, 1] });
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  widths.forEach((filters, i) => {
    convBnRelu(model, { filters, kernelSize: 3, seed: seed + 1 + 2 * i });
    convBnRelu(model, { filters, kernelSize: 3, seed: seed + 2 + 2 * i });
    if (i < 2) model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    model.add(tf.layers.dropout({ rate: 0.1 * (i + 1) }));
  });
  model.add(tf.layers.globalAveragePooling2d({}));
  model.add(tf.layers.dropout({ rate: 0.4 }));
  softmaxHead(model, numClasses, seed + 40);
  return model;
}

/** Designed for accuracy per CPU-second on 48px faces (about a tenth of seed-cnn's multiply-adds). */
export const vggLite: Architecture = {
  name: 'vgg-lite',
  description:
    'conv 32 @48px, then 2x conv per block 64 @24, 128 @12, 192 @6 (BatchNorm, ReLU, max-pool, dropout), global average pool, dropout 0.4, dense 7; ~0.83M parameters',
  build: (opts) => buildVgg('vgg_lite', [64, 128, 192], opts),
};

/**
 * vgg-lite with twice its width at 6 px, where FER's expressions are told apart: 1.5x its
 * multiply-adds. It can start from a vgg-lite model's weights (initFrom), widened without changing
 * what the model computes.
 */
export const vggWide: Architecture = {
  name: 'vgg-wide',
  description:
    'vgg-lite with 384 filters in its 6px block: conv 32 @48px, 2x conv 64 @24, 128 @12, 384 @6; ~2.0M parameters; grows from vgg-lite',
  build: (opts) => buildVgg('vgg_wide', [64, 128, 384], opts),
};
