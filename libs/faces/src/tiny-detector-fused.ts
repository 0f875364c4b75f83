import * as tf from '@tensorflow/tfjs';

/**
 * face-api's tiny face detector, run as fused kernels with the same weights.
 *
 * face-api runs each layer as convolution, bias Add, then leaky ReLU as four elementwise ops
 * (Mul, Sub, Relu, Add), pads explicitly before every depthwise convolution, and subtracts the
 * mean colour through a full-size tensor built by Concat. On the WASM backend those elementwise
 * passes over the activations cost as much as the convolutions (tools/bench/predict-stages.ts).
 * Here each layer is one fused convolution (bias and leaky ReLU inside the kernel), padding is
 * the convolution's own 'same', and the input normalisation is folded into the first layer's
 * weights, which is exact because that layer pads nothing. Box decoding, score threshold and
 * NMS stay face-api's: only `forwardInput`, the network's pass from input to grid, is replaced.
 */

interface ConvParams { filters: tf.Tensor4D; bias: tf.Tensor1D }
interface SeparableParams { depthwise_filter: tf.Tensor4D; pointwise_filter: tf.Tensor4D; bias: tf.Tensor1D }

/** The parts of face-api's TinyFaceDetector instance that the fused pass reads and replaces. */
export interface TinyDetectorNet {
  params?: Record<string, ConvParams | SeparableParams | undefined>;
  config?: { withSeparableConvs?: boolean; isFirstLayerConv2d?: boolean; meanRgb?: [number, number, number] };
  forwardInput(input: { toBatchTensor(size: number, isCenterInputs?: boolean): tf.Tensor4D }, inputSize: number): Promise<tf.Tensor4D> | tf.Tensor4D;
}

/** face-api's leaky ReLU slope (its `leaky`: 0.1 as float32). */
const LEAKY_ALPHA = 0.10000000149011612;

const SEPARABLE_LAYERS = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'conv7'] as const;

interface FusedWeights { conv0: ConvParams; separable: (SeparableParams | undefined)[]; conv8: ConvParams }

/** conv((x - mean) / 255) + b  ==  conv(x) with W/255, and b - sum(W * mean) / 255, for a 'valid' convolution. */
function foldNormalization(conv0: ConvParams, meanRgb: [number, number, number]): ConvParams {
  return tf.tidy(() => {
    const filters = tf.div(conv0.filters, 255) as tf.Tensor4D;
    const meanTerm = tf.sum(tf.mul(filters, tf.tensor4d(meanRgb, [1, 1, 3, 1])), [0, 1, 2]);
    return { filters: tf.keep(filters), bias: tf.keep(tf.sub(conv0.bias, meanTerm) as tf.Tensor1D) };
  });
}

function leakyFused(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: 'same' | 'valid'): tf.Tensor4D {
  return tf.fused.conv2d({ x, filter, bias, strides: 1, pad, activation: 'leakyrelu', leakyreluAlpha: LEAKY_ALPHA });
}

function forward(w: FusedWeights, batch: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const separable = (x: tf.Tensor4D, layer: SeparableParams) =>
      leakyFused(tf.depthwiseConv2d(x, layer.depthwise_filter, 1, 'same'), layer.pointwise_filter, layer.bias, 'valid');
    // face-api's order: conv0, then a stride-2 pool before each of conv1..conv5, a stride-1 pool, conv6 and conv7 if present.
    let x = leakyFused(tf.cast(batch, 'float32'), w.conv0.filters, w.conv0.bias, 'valid');
    for (const layer of w.separable.slice(0, 5)) x = separable(tf.maxPool(x, 2, 2, 'same'), layer!);
    x = tf.maxPool(x, 2, 1, 'same');
    for (const layer of w.separable.slice(5)) if (layer) x = separable(x, layer);
    return tf.fused.conv2d({ x, filter: w.conv8.filters, bias: w.conv8.bias, strides: 1, pad: 'valid' });
  });
}

const fused = new WeakSet<TinyDetectorNet>();

/**
 * Replaces the loaded tiny detector's forward pass with the fused one (idempotent). Nets of any
 * other layout (a regular-conv tiny YOLO, or one without a mean colour) are left as face-api runs them.
 */
export function fuseTinyFaceDetector(net: TinyDetectorNet): boolean {
  if (fused.has(net)) return true;
  const p = net.params;
  const c = net.config;
  if (!p || !c?.withSeparableConvs || !c.isFirstLayerConv2d || !c.meanRgb) return false;
  const conv0 = p.conv0 as ConvParams | undefined;
  const conv8 = p.conv8 as ConvParams | undefined;
  if (!conv0?.filters || !conv8?.filters || conv0.filters.shape[2] !== 3) return false;
  if (SEPARABLE_LAYERS.slice(0, 5).some((name) => !(p[name] as SeparableParams | undefined)?.depthwise_filter)) return false;
  const weights: FusedWeights = {
    conv0: foldNormalization(conv0, c.meanRgb),
    separable: SEPARABLE_LAYERS.map((name) => p[name] as SeparableParams | undefined),
    conv8,
  };
  net.forwardInput = (input, inputSize) => tf.tidy(() => forward(weights, input.toBatchTensor(inputSize, false)));
  fused.add(net);
  return true;
}
