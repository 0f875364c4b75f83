import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from './batchnorm-layer';

// Dropout layers take no seed: TF.js would then draw the same mask on every step. Training
// seeds the random source per epoch instead (train/seeded-random.ts).

/** Conv (no bias: BatchNorm follows) -> BatchNorm -> ReLU, the block every architecture here uses. */
export function convBnRelu(
  model: tf.Sequential,
  opts: { filters: number; kernelSize: number; seed: number; inputShape?: number[] },
): void {
  model.add(
    tf.layers.conv2d({
      ...(opts.inputShape ? { inputShape: opts.inputShape } : {}),
      filters: opts.filters,
      kernelSize: opts.kernelSize,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: opts.seed }),
    }),
  );
  // Keras' 0.99 leaves the moving statistics near their initial values for short runs.
  model.add(batchNormalization({ momentum: 0.9 }));
  model.add(tf.layers.activation({ activation: 'relu' }));
}

export function denseBnRelu(model: tf.Sequential, units: number, seed: number): void {
  model.add(tf.layers.dense({ units, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed }) }));
  model.add(batchNormalization({ momentum: 0.9 }));
  model.add(tf.layers.activation({ activation: 'relu' }));
}

export function softmaxHead(model: tf.Sequential, numClasses: number, seed: number): void {
  model.add(
    tf.layers.dense({
      units: numClasses,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
}
