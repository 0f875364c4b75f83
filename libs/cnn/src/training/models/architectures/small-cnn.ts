import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../architecture';
import { convBnRelu, softmaxHead } from '../layers';

/** Three conv blocks and a linear head: learns the synthetic faces in about a minute. */
export const smallCnn: Architecture = {
  name: 'small-cnn',
  description: '3 conv blocks (16-32-64, BatchNorm, ReLU, max-pool), dropout 0.3, dense 7; ~40k parameters',
  build({ imageSize, numClasses, seed }) {
    const model = tf.sequential({ name: 'small_cnn' });
    [16, 32, 64].forEach((filters, i) => {
      convBnRelu(model, {
        filters,
        kernelSize: 3,
        seed: seed + i,
        ...(i === 0 ? { inputShape: [imageSize, imageSize, 1] } : {}),
      });
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    });
    model.add(tf.layers.flatten());
    model.add(tf.layers.dropout({ rate: 0.3 }));
    softmaxHead(model, numClasses, seed + 11);
    return model;
  },
};
