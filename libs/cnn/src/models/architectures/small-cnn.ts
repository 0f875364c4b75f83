import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../architecture';

/** Three conv blocks with BatchNorm and a small head: learns the synthetic faces in about a minute. */
export const smallCnn: Architecture = {
  name: 'small-cnn',
  description: '3 conv blocks (16-32-64, BatchNorm, ReLU, max-pool), global average pool, dense 7; ~25k parameters',
  build({ imageSize, numClasses, seed }) {
    const model = tf.sequential({ name: 'small_cnn' });
    [16, 32, 64].forEach((filters, i) => {
      model.add(tf.layers.conv2d({
        ...(i === 0 ? { inputShape: [imageSize, imageSize, 1] } : {}),
        filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
      }));
      model.add(tf.layers.batchNormalization({ momentum: 0.9 }));
      model.add(tf.layers.activation({ activation: 'relu' }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    });
    model.add(tf.layers.flatten());
    model.add(tf.layers.dropout({ rate: 0.3, seed }));
    model.add(tf.layers.dense({ units: numClasses, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 11 }) }));
    return model;
  },
};
