import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMOTIONS, hyperparametersSchema } from '@moodlab/shared';
import { selectBackend } from '../backend/select-backend';
import { generateSyntheticFaces } from '../datasets/synthetic-faces';
import { evaluateModel } from '../inference/evaluate';
import { trainModel } from '../training/train';
import { importKerasModel } from './keras-import';
import { keras2H5, randomizeBatchNorm } from './keras-test-files';

describe('fine-tuning an imported Keras model', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm' });
  });

  it('trains its own topology on our 48 px faces resized to its 32 px, 3-channel input', async () => {
    const keras = tf.sequential({
      layers: [
        // Seeded initial weights: the run must not depend on the draw.
        tf.layers.conv2d({
          inputShape: [32, 32, 3],
          filters: 8,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.batchNormalization(),
        // Xception's block: the WASM backend's depthwise gradients are ours (wasm-depthwise-kernels).
        tf.layers.separableConv2d({
          filters: 8,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          depthwiseInitializer: tf.initializers.glorotUniform({ seed: 2 }),
          pointwiseInitializer: tf.initializers.glorotUniform({ seed: 3 }),
        }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({
          units: 7,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
        }),
      ],
    });
    randomizeBatchNorm(keras);
    const { artifact, architecture } = await importKerasModel(await keras2H5(keras), {
      fileName: 'rgb32.h5',
      classOrder: 'alphabetical',
      normalization: 'scale01',
      classNames: EMOTIONS,
    });
    const train = generateSyntheticFaces({ perClass: 30, seed: 1 });
    const validation = generateSyntheticFaces({ perClass: 10, seed: 2 });
    const hp = hyperparametersSchema.parse({
      architecture,
      epochs: 4,
      batchSize: 16,
      learningRate: 0.01,
      initFrom: 1,
      recalibrateBatchNorm: 64,
      preprocessing: { imageSize: 32, normalization: 'scale01' },
    });
    const result = await trainModel({
      hyperparameters: hp,
      classNames: EMOTIONS,
      train,
      validation,
      initialModel: { meta: artifact.meta, data: artifact.data },
    });
    expect(result.preprocessing).toMatchObject({ imageSize: 32, channels: 3, flatten: false });
    expect(result.model.inputs[0]!.shape).toEqual([null, 32, 32, 3]);
    expect(result.history).toHaveLength(4);
    expect(result.history.at(-1)!.loss).toBeLessThan(result.history[0]!.loss);
    // Predictions come out for our faces through the model's own input (accuracy on 70 faces after 4 epochs of a toy model is chance-level, so it is not asserted).
    expect(
      evaluateModel(result.model, validation, EMOTIONS, result.preprocessing)
        .confusion.flat()
        .reduce((a, b) => a + b, 0),
    ).toBe(70);
  });

  it('needs the version it starts from', async () => {
    const hp = hyperparametersSchema.parse({ architecture: 'keras:model', epochs: 1 });
    const train = generateSyntheticFaces({ perClass: 2, seed: 1 });
    await expect(trainModel({ hyperparameters: hp, classNames: EMOTIONS, train })).rejects.toThrow(
      /imported model: it trains from its version/,
    );
  });
});
