import * as tf from '@tensorflow/tfjs';
import type { InputLayout } from '@moodlab/shared';
import { toTfjsTopology } from './keras-config';
import { KerasFileError, type KerasModelFile, type KerasWeight } from './keras-file';

/** A Keras file as a TF.js model with its weights, and the input it takes. */
export interface KerasModel {
  model: tf.LayersModel;
  /** The model's own name in its configuration ("mini_XCEPTION", "sequential"). */
  name: string;
  imageSize: number;
  layout: InputLayout;
  numClasses: number;
}

/** Builds the model from its configuration and loads every layer's weights, checking names and shapes. */
export async function buildKerasModel(file: KerasModelFile): Promise<KerasModel> {
  const topology = toTfjsTopology(file.modelConfig, file.kerasVersion);
  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({ modelTopology: topology });
  } catch (err) {
    throw new KerasFileError(`TF.js cannot build this model: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    loadWeights(model, file.layerWeights);
    return { model, name: model.name, ...inputSpec(model), numClasses: outputClasses(model) };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

function loadWeights(model: tf.LayersModel, stored: Map<string, KerasWeight[]>): void {
  for (const layer of model.layers) {
    const want = layer.weights;
    if (!want.length) continue;
    const have = stored.get(layer.name);
    if (!have) throw new KerasFileError(`the file has no weights for layer "${layer.name}"`);
    if (have.length !== want.length)
      throw new KerasFileError(`layer "${layer.name}" has ${want.length} weights but the file stores ${have.length}`);
    const ordered = matchByName(
      want.map((w) => w.originalName),
      have,
    );
    const tensors = ordered.map((w, i) => {
      const shape = want[i]!.shape;
      if (w.shape.length !== shape.length || w.shape.some((d, j) => d !== shape[j]))
        throw new KerasFileError(
          `layer "${layer.name}", weight ${want[i]!.originalName}: the file has shape [${w.shape}], the layer needs [${shape}]`,
        );
      return tf.tensor(w.values, w.shape);
    });
    layer.setWeights(tensors);
    tf.dispose(tensors);
  }
}

/**
 * Keras 2 names each weight (`batch_normalization_1_1/gamma:0`, whose prefix need not be the
 * layer's name): match on the last part (`gamma`) when every weight has a distinct one; otherwise,
 * and for Keras 3 (unnamed), keep the recorded order, which is the layer's own.
 */
function matchByName(want: string[], have: KerasWeight[]): KerasWeight[] {
  const short = (n: string) => n.replace(/:\d+$/, '').split('/').at(-1)!;
  const byShort = new Map(have.flatMap((w) => (w.name ? [[short(w.name), w] as const] : [])));
  if (byShort.size !== have.length) return have;
  const matched = want.map((n) => byShort.get(short(n)));
  return matched.every((w) => w !== undefined) ? (matched as KerasWeight[]) : have;
}

/** A square image (gray or RGB) or a flat vector of a square image's pixels. */
function inputSpec(model: tf.LayersModel): { imageSize: number; layout: InputLayout } {
  if (model.inputs.length !== 1)
    throw new KerasFileError(`the model takes ${model.inputs.length} inputs; a face classifier takes one image`);
  const shape = model.inputs[0]!.shape.slice(1);
  const [h, w, c] = shape;
  if (shape.length === 3 && h === w && (c === 1 || c === 3) && typeof h === 'number')
    return { imageSize: h, layout: { channels: c, flatten: false } };
  if (shape.length === 1 && typeof h === 'number' && Number.isInteger(Math.sqrt(h)))
    return { imageSize: Math.sqrt(h), layout: { channels: 1, flatten: true } };
  throw new KerasFileError(
    `the model's input is [${shape.map((d) => d ?? 'any')}]: expected a square image (size x size x 1 or 3) or a flat vector of size x size pixels`,
  );
}

function outputClasses(model: tf.LayersModel): number {
  const shape = model.outputs.length === 1 ? model.outputs[0]!.shape : null;
  if (!shape || shape.length !== 2 || typeof shape[1] !== 'number')
    throw new KerasFileError(
      `not a classifier: its output is ${model.outputs.map((o) => `[${o.shape.map((d) => d ?? 'batch')}]`).join(', ')}; expected one vector of class probabilities`,
    );
  return shape[1];
}
