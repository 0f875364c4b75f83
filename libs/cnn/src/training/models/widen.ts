import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../datasets/random';

/**
 * Net2WiderNet (Chen, Goodfellow & Shlens 2016): gives a wider model of the same layout the
 * weights of a narrower one so that it computes the same function. Each channel the wider layer
 * adds copies one of the narrow layer's (drawn at random), and the next layer's weights from the
 * copies are split between them. Training then pulls the copies apart (dropout already draws
 * different masks for them). Hand-written: TF.js has no model surgery, and no npm package does it.
 *
 * Supports the layers this product's sequential architectures use: Conv2D, BatchNormalization and
 * Dense carry weights; activations, pooling, dropout and global pooling pass channels through.
 */
export function widenInto(from: tf.LayersModel, to: tf.LayersModel, seed: number): void {
  if (from.layers.length !== to.layers.length)
    throw new Error(`cannot widen: ${from.layers.length} layers into ${to.layers.length}`);
  const random = createRng(`widen:${seed}`);
  /** For each input channel of the next weighted layer, the narrow model's channel it copies. */
  let sources: number[] | null = null;
  from.layers.forEach((narrow, li) => {
    const wide = to.layers[li]!;
    const kind = narrow.getClassName();
    if (kind !== wide.getClassName())
      throw new Error(`cannot widen: layer ${li} is a ${kind} here and a ${wide.getClassName()} there`);
    // The layers' own variables (not copies): read, never disposed.
    const weights = narrow.getWeights();
    if (weights.length === 0) {
      if (kind === 'Flatten' && sources) throw new Error('cannot widen through a Flatten layer');
      return;
    }
    const target = wide.getWeights();
    if (kind === 'BatchNormalization') {
      const next = weights.map((w) => gatherLast(w, sources, target[0]!.shape.at(-1)!));
      wide.setWeights(next);
      tf.dispose(next);
      return;
    }
    if (kind !== 'Conv2D' && kind !== 'Dense') throw new Error(`cannot widen a ${kind} layer`);
    const [kernel, ...rest] = weights;
    const inWide = target[0]!.shape.at(-2)!;
    const outNarrow = kernel!.shape.at(-1)!;
    const outWide = target[0]!.shape.at(-1)!;
    const outSources = Array.from({ length: outWide }, (_, j) => (j < outNarrow ? j : random.int(outNarrow)));
    const splitInputs = splitRows(kernel!, sources, inWide);
    const next = [gatherLast(splitInputs, outSources, outWide), ...rest.map((b) => gatherLast(b, outSources, outWide))];
    wide.setWeights(next);
    tf.dispose([splitInputs, ...next]);
    sources = outSources;
  });
  if (sources !== null && (sources as number[]).some((s, j) => s !== j))
    throw new Error('cannot widen the output layer: the classes would change');
}

/** `w` with its last axis taken from `sources` (identity when null), `width` long. */
function gatherLast(w: tf.Tensor, sources: number[] | null, width: number): tf.Tensor {
  const narrow = w.shape.at(-1)!;
  if (!sources) {
    if (width !== narrow) throw new Error(`cannot widen: ${narrow} channels here, ${width} there`);
    return w.clone();
  }
  return tf.gather(w, sources, w.rank - 1);
}

/**
 * A kernel `[..., in, out]` with its input axis widened to `width`: each input channel copied
 * from a narrow one gets that channel's weights divided by the number of its copies, so that the
 * copies' contributions add up to the original one.
 */
function splitRows(kernel: tf.Tensor, sources: number[] | null, width: number): tf.Tensor {
  if (!sources) {
    const narrow = kernel.shape.at(-2)!;
    if (width !== narrow) throw new Error(`cannot widen: ${narrow} input channels here, ${width} there`);
    return kernel.clone();
  }
  const copies = new Map<number, number>();
  for (const s of sources) copies.set(s, (copies.get(s) ?? 0) + 1);
  return tf.tidy(() => {
    const gathered = tf.gather(kernel, sources, kernel.rank - 2);
    const scale = tf.tensor1d(sources.map((s) => 1 / copies.get(s)!)).reshape([width, 1]);
    return gathered.mul(scale);
  });
}
