import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { CLASS_ORDER_PRESETS, EMOTIONS } from '@moodlab/shared';
import { loadModelFromArtifact } from '../inference/model-artifact';
import { predictProbabilities } from '../inference/predict';
import { importKerasModel, type KerasImportOptions } from './keras-import';
import { kerasH5Bytes } from './keras-export';
import { keras2H5, keras3Archive, keras3Residual, randomizeBatchNorm } from './keras-test-files';

const CLASSES = [...EMOTIONS];
const asGiven: Omit<KerasImportOptions, 'fileName'> = {
  classOrder: 'alphabetical',
  normalization: 'scale01',
  classNames: CLASSES,
};

/** A small Keras-style classifier: Conv2D, BatchNormalization (with trained-looking statistics), pooling, Dense softmax. */
function convNet(size = 16, channels = 1, classes = 7): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [size, size, channels],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv',
      }),
      tf.layers.batchNormalization({ name: 'bn' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ units: classes, activation: 'softmax', name: 'probs' }),
    ],
  });
  randomizeBatchNorm(model);
  return model;
}

async function imported(bytes: Uint8Array, options: Partial<KerasImportOptions> = {}) {
  const result = await importKerasModel(bytes, { fileName: 'model.h5', ...asGiven, ...options });
  const { model, metadata } = await loadModelFromArtifact(result.artifact.meta, result.artifact.data);
  return { result, model, metadata };
}

function predict(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync() as Float32Array);
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

describe('Keras 2 HDF5 files', () => {
  it('load with every weight in place, BatchNormalization statistics included', async () => {
    const source = convNet();
    const { model, result } = await imported(await keras2H5(source));
    const x = tf.randomUniform([5, 16, 16, 1], 0, 1, 'float32', 7);
    expect(maxDifference(predict(model, x), predict(source, x))).toBeLessThan(1e-5);
    expect(result.imported).toMatchObject({ layout: 'hdf5', settingsFrom: 'request', normalization: 'scale01' });
    expect(result.architecture).toBe('keras:model');
  });

  it("permute the outputs from the file's class order to ours", async () => {
    const source = convNet();
    const csv = CLASS_ORDER_PRESETS['fer2013-csv'];
    const { model, metadata } = await imported(await keras2H5(source), { classOrder: 'fer2013-csv' });
    const x = tf.randomUniform([3, 16, 16, 1], 0, 1, 'float32', 8);
    const theirs = predict(source, x);
    const ours = predict(model, x);
    expect(metadata.classNames).toEqual(CLASSES);
    for (let row = 0; row < 3; row++)
      csv.forEach((name, i) => expect(ours[row * 7 + CLASSES.indexOf(name)]).toBeCloseTo(theirs[row * 7 + i]!, 5));
  });

  it('record a flat input as a flattened square image, and 3 channels as gray repeated', async () => {
    const flat = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [48 * 48], units: 8, activation: 'relu' }),
        tf.layers.dense({ units: 7, activation: 'softmax' }),
      ],
    });
    const a = await imported(await keras2H5(flat));
    expect(a.metadata.preprocessing).toMatchObject({ imageSize: 48, flatten: true, channels: 1 });
    const rgb = await imported(await keras2H5(convNet(56, 3)));
    expect(rgb.metadata.preprocessing).toMatchObject({ imageSize: 56, flatten: false, channels: 3 });
    // Both predict on our 48 px grayscale images through the shared preprocessing.
    const images = { size: 48, images: new Uint8Array(2 * 48 * 48).fill(128), labels: new Uint8Array(2) };
    for (const m of [a, rgb]) {
      const probs = predictProbabilities(m.model, images, m.metadata.preprocessing);
      expect(probs).toHaveLength(14);
      expect(probs.slice(0, 7).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
    }
  });
});

describe('Keras 3 .keras archives', () => {
  it('rewrite the configuration for TF.js and load the weights by position', async () => {
    const { config, model: source } = keras3Residual();
    const { model, result } = await imported(await keras3Archive(config, source), { fileName: 'residual.keras' });
    const x = tf.randomUniform([4, 16, 16, 1], 0, 1, 'float32', 9);
    expect(maxDifference(predict(model, x), predict(source, x))).toBeLessThan(1e-5);
    expect(result.imported).toMatchObject({ layout: 'keras-zip', kerasVersion: '3.6.0' });
  });
});

describe('export to Keras HDF5', () => {
  it('reads back to the same predictions, class order and normalisation from the file', async () => {
    const source = convNet();
    const meta = {
      classNames: CLASSES,
      preprocessing: { imageSize: 16, normalization: 'scale11' as const, channels: 1 as const, flatten: false },
      architecture: 'test',
    };
    const bytes = await kerasH5Bytes(source, meta);
    // The request's settings lose to the file's own.
    const { model, metadata, result } = await imported(bytes, { classOrder: 'fer2013-csv', normalization: 'scale01' });
    expect(result.imported.settingsFrom).toBe('file');
    expect(metadata.preprocessing.normalization).toBe('scale11');
    const x = tf.randomUniform([4, 16, 16, 1], -1, 1, 'float32', 10);
    expect(maxDifference(predict(model, x), predict(source, x))).toBeLessThan(1e-5);
  });
});

describe('files that are not a model we can use', () => {
  const refuse = async (bytes: Uint8Array, message: RegExp, options: Partial<KerasImportOptions> = {}) =>
    expect(importKerasModel(bytes, { fileName: 'bad.h5', ...asGiven, ...options })).rejects.toThrow(message);

  it('say what is wrong', async () => {
    await refuse(new TextEncoder().encode('just text'), /not a Keras model file: expected HDF5/);
    const good = await keras2H5(convNet());
    await refuse(good.slice(0, Math.floor(good.length / 2)), /truncated/);
    await refuse(await keras2H5(convNet(16, 1, 5)), /5 outputs but the dataset has 7 classes/);
    const notClassifier = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 7, kernelSize: 3, name: 'maps' })],
    });
    await refuse(await keras2H5(notClassifier), /not a classifier: its output is \[batch,14,14,7\]/);
    await refuse(await keras2H5(convNet()), /does not record its class order or its input normalisation/, {
      classOrder: undefined,
      normalization: undefined,
    });
  });

  it('name each layer TF.js lacks', async () => {
    const { config, model } = keras3Residual();
    const layers = (config as { config: { layers: { class_name: string }[] } }).config.layers;
    layers[3]!.class_name = 'RandomFlip';
    await refuse(await keras3Archive(config, model), /layers TF.js cannot run: RandomFlip \("bn"\)/);
  });
});
