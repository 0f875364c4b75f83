import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { ModelMetadata } from '../inference/model-artifact';
import { openH5, type H5Group } from './h5';

/** What the files we write say they are; Keras reads any version string (it only converts files of Keras 1). */
const WRITER = 'moodlab (tfjs-layers 4.22.0)';

/**
 * A model as a Keras HDF5 file in Keras 2's layout, which `tf.keras.models.load_model` (Keras 2)
 * and Keras 3's legacy loader read: `model_config` (the TF.js topology, which is Keras 2's
 * configuration format) on the root, and `model_weights/<layer>/<weight>:0` datasets named by each
 * layer's `weight_names`. The class order and preprocessing go in `moodlab_metadata`, so our
 * importer reads the file back without asking.
 */
export async function kerasH5Bytes(model: tf.LayersModel, metadata: ModelMetadata): Promise<Uint8Array> {
  const dir = await mkdtemp(path.join(tmpdir(), 'moodlab-keras-'));
  const target = path.join(dir, 'model.h5');
  try {
    const file = await openH5(target, 'w');
    try {
      file.create_attribute('keras_version', WRITER);
      file.create_attribute('backend', 'tensorflow');
      file.create_attribute('model_config', JSON.stringify(model.toJSON(null, false)));
      file.create_attribute(
        'moodlab_metadata',
        JSON.stringify({ classNames: metadata.classNames, preprocessing: metadata.preprocessing }),
      );
      const root = file.create_group('model_weights');
      root.create_attribute('keras_version', WRITER);
      root.create_attribute('backend', 'tensorflow');
      root.create_attribute(
        'layer_names',
        model.layers.map((l) => l.name),
      );
      for (const layer of model.layers) writeLayer(root.create_group(layer.name), layer);
    } finally {
      file.close();
    }
    return new Uint8Array(await readFile(target));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function writeLayer(group: H5Group, layer: tf.layers.Layer): void {
  const names = layer.weights.map((w) => `${w.originalName}:0`);
  // A layer without weights gets an empty float array, as Keras itself writes (np.array([])).
  group.create_attribute('weight_names', names.length ? names : new Float64Array(0));
  const values = layer.getWeights();
  names.forEach((name, i) => {
    const parts = name.split('/');
    let g = group;
    for (const part of parts.slice(0, -1))
      g = g.keys().includes(part) ? (g.get(part) as H5Group) : g.create_group(part);
    const w = values[i]!;
    g.create_dataset({ name: parts.at(-1)!, data: w.dataSync() as Float32Array, shape: w.shape, dtype: '<f' });
  });
}
