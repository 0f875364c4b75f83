import * as tf from '@tensorflow/tfjs';
import { KerasFileError } from './keras-file';

/** Layers between the last weighted layer and the output that keep each channel where it is. */
const CHANNEL_PRESERVING = new Set([
  'Activation',
  'Softmax',
  'Dropout',
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling1D',
  'GlobalMaxPooling1D',
  'BatchNormalization',
  'ReLU',
  'LeakyReLU',
]);

/** Layers whose weights' last axis is the output channel; SeparableConv2D's depthwise kernel (first) is not. */
const LAST_AXIS_OUT: Record<string, (index: number) => boolean> = {
  Dense: () => true,
  Conv2D: () => true,
  SeparableConv2D: (i) => i > 0,
};

/**
 * Reorders a classifier's outputs from the order the file's author trained (`from`) to ours (`to`)
 * by permuting the output channels of the last weighted layer (and of any BatchNormalization after
 * it), so the model itself speaks our class order: evaluation, serving, fine-tuning and export
 * need nothing else. A softmax commutes with the permutation. Mutates the model's weights.
 */
export function reorderOutputs(model: tf.LayersModel, from: readonly string[], to: readonly string[]): void {
  if (from.join() === to.join()) return;
  const perm = to.map((name) => from.indexOf(name));
  if (from.length !== to.length || perm.some((i) => i < 0))
    throw new KerasFileError(`class order [${from.join(', ')}] is not a reordering of [${to.join(', ')}]`);
  let layer: tf.layers.Layer | undefined = model.outputs[0]!.sourceLayer;
  const path: string[] = [];
  while (layer) {
    const className = layer.getClassName();
    path.push(`${className} "${layer.name}"`);
    if (className === 'BatchNormalization') permute(layer, perm, () => true);
    else if (!CHANNEL_PRESERVING.has(className)) {
      const lastAxisOut = LAST_AXIS_OUT[className];
      if (!lastAxisOut) break;
      permute(layer, perm, lastAxisOut);
      return;
    }
    const inbound: tf.layers.Layer[] = layer.inboundNodes[0]?.inboundLayers ?? [];
    layer = inbound.length === 1 ? inbound[0] : undefined;
  }
  throw new KerasFileError(
    `cannot reorder this model's outputs: from the output back (${path.join(' <- ')}) there is no Dense or Conv2D layer to permute; give its classes in our order (${to.join(', ')})`,
  );
}

function permute(layer: tf.layers.Layer, perm: number[], lastAxisOut: (index: number) => boolean): void {
  const index = tf.tensor1d(perm, 'int32');
  // getWeights returns the variables' own tensors: dispose only the permuted copies.
  const weights = layer.getWeights();
  const permuted = weights.map((w, i) => (lastAxisOut(i) ? tf.gather(w, index, w.rank - 1) : w));
  layer.setWeights(permuted);
  tf.dispose([index, ...permuted.filter((w, i) => w !== weights[i])]);
}
