import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { zipSync } from 'fflate';
import h5wasm from 'h5wasm/node';
import { kerasH5Bytes } from './keras-export';
import type { ModelMetadata } from '../inference/model-artifact';

/**
 * Keras files for tests, written here (no Python): the Keras 2 HDF5 layout as Keras writes it
 * (no Moodlab metadata), and Keras 3 `.keras` archives with Keras 3's configuration format.
 */

/** Random BatchNormalization statistics, so a loader that swaps gamma, beta, mean and variance changes the predictions. */
export function randomizeBatchNorm(model: tf.LayersModel, seed = 3): void {
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    const n = layer.getWeights()[0]!.shape[0]!;
    layer.setWeights([
      tf.randomUniform([n], 0.5, 1.5, 'float32', seed),
      tf.randomUniform([n], -0.5, 0.5, 'float32', seed + 1),
      tf.randomUniform([n], -0.3, 0.3, 'float32', seed + 2),
      tf.randomUniform([n], 0.2, 2, 'float32', seed + 3),
    ]);
  }
}

/** A Keras 2 `.h5` as `model.save()` writes it: the layout of kerasH5Bytes without our metadata. */
export async function keras2H5(model: tf.LayersModel): Promise<Uint8Array> {
  const bytes = await kerasH5Bytes(model, {
    classNames: [],
    preprocessing: { imageSize: 48, normalization: 'scale01', channels: 1, flatten: false },
    architecture: 'test',
  } satisfies ModelMetadata);
  return withFile(bytes, (file) => file.delete_attribute('moodlab_metadata'));
}

async function withFile(bytes: Uint8Array, edit: (file: InstanceType<typeof h5wasm.File>) => void) {
  await h5wasm.ready;
  const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-keras-test-'));
  const target = path.join(dir, 'model.h5');
  try {
    await writeFile(target, bytes);
    const file = new h5wasm.File(target, 'a');
    edit(file);
    file.close();
    return new Uint8Array(await readFile(target));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A `.keras` archive: config.json, metadata.json and model.weights.h5 with `layers/<name>/vars/<i>`. */
export async function keras3Archive(config: unknown, model: tf.LayersModel): Promise<Uint8Array> {
  await h5wasm.ready;
  const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-keras-test-'));
  const target = path.join(dir, 'model.weights.h5');
  try {
    const file = new h5wasm.File(target, 'w');
    const layers = file.create_group('layers');
    for (const layer of model.layers) {
      const vars = layers.create_group(layer.name).create_group('vars');
      layer.getWeights().forEach((w, i) => {
        vars.create_dataset({ name: String(i), data: w.dataSync() as Float32Array, shape: w.shape, dtype: '<f' });
      });
    }
    file.close();
    const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    return zipSync({
      'metadata.json': text({ keras_version: '3.6.0', date_saved: '2026-12-01@00:00:00' }),
      'config.json': text(config),
      'model.weights.h5': new Uint8Array(await readFile(target)),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
const initializer = (name: string) => ({
  module: 'keras.initializers',
  class_name: name,
  config: {},
  registered_name: null,
});
const tensor = (layer: string, shape: (number | null)[]) => ({
  class_name: '__keras_tensor__',
  config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] },
});

function conv(name: string, input: string, inputChannels: number) {
  return {
    module: 'keras.layers',
    class_name: 'Conv2D',
    config: {
      name,
      trainable: true,
      dtype: policy,
      filters: 4,
      kernel_size: [3, 3],
      strides: [1, 1],
      padding: 'same',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      groups: 1,
      activation: 'relu',
      use_bias: true,
      kernel_initializer: initializer('GlorotUniform'),
      bias_initializer: initializer('Zeros'),
      kernel_regularizer: {
        module: 'keras.regularizers',
        class_name: 'L2',
        config: { l2: 1e-4 },
        registered_name: null,
      },
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
    registered_name: null,
    build_config: { input_shape: [null, 16, 16, inputChannels] },
    name,
    inbound_nodes: [{ args: [tensor(input, [null, 16, 16, inputChannels])], kwargs: {} }],
  };
}

/**
 * A small residual model in Keras 3's functional format (Add of two branches, BatchNormalization,
 * an L2 regularizer, dtype policies, `batch_shape`), and the same model built with TF.js under
 * the same layer names, whose weights the archive carries.
 */
export function keras3Residual(): { config: unknown; model: tf.LayersModel } {
  const input = tf.input({ shape: [16, 16, 1], name: 'face' });
  const a = tf.layers
    .conv2d({ name: 'conv_a', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(input);
  const b = tf.layers
    .conv2d({ name: 'conv_b', filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
    .apply(a);
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(b);
  const sum = tf.layers.add({ name: 'add' }).apply([a, bn] as tf.SymbolicTensor[]);
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum);
  const probs = tf.layers.dense({ name: 'probs', units: 7, activation: 'softmax' }).apply(pooled) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: probs, name: 'tiny_residual' });
  randomizeBatchNorm(model);
  const layer = (className: string, name: string, config: object, args: unknown[]) => ({
    module: 'keras.layers',
    class_name: className,
    config: { name, trainable: true, dtype: policy, ...config },
    registered_name: null,
    name,
    inbound_nodes: [{ args, kwargs: {} }],
  });
  const config = {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: 'tiny_residual',
      trainable: true,
      layers: [
        {
          module: 'keras.layers',
          class_name: 'InputLayer',
          config: { batch_shape: [null, 16, 16, 1], dtype: 'float32', sparse: false, name: 'face' },
          registered_name: null,
          name: 'face',
          inbound_nodes: [],
        },
        conv('conv_a', 'face', 1),
        conv('conv_b', 'conv_a', 4),
        layer(
          'BatchNormalization',
          'bn',
          {
            axis: -1,
            momentum: 0.99,
            epsilon: 0.001,
            center: true,
            scale: true,
            beta_initializer: initializer('Zeros'),
            gamma_initializer: initializer('Ones'),
            moving_mean_initializer: initializer('Zeros'),
            moving_variance_initializer: initializer('Ones'),
            beta_regularizer: null,
            gamma_regularizer: null,
            beta_constraint: null,
            gamma_constraint: null,
            synchronized: false,
          },
          [tensor('conv_b', [null, 16, 16, 4])],
        ),
        layer('Add', 'add', {}, [[tensor('conv_a', [null, 16, 16, 4]), tensor('bn', [null, 16, 16, 4])]]),
        layer('GlobalAveragePooling2D', 'gap', { data_format: 'channels_last', keepdims: false }, [
          tensor('add', [null, 16, 16, 4]),
        ]),
        layer(
          'Dense',
          'probs',
          {
            units: 7,
            activation: 'softmax',
            use_bias: true,
            kernel_initializer: initializer('GlorotUniform'),
            bias_initializer: initializer('Zeros'),
            kernel_regularizer: null,
            bias_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          },
          [tensor('gap', [null, 4])],
        ),
      ],
      input_layers: ['face', 0, 0],
      output_layers: ['probs', 0, 0],
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: null,
  };
  return { config, model };
}
