import * as tf from '@tensorflow/tfjs';

/**
 * face-api's tiny face detector, run as fused kernels with the same weights.
 *
 * face-api runs each layer as convolution, bias Add, then leaky ReLU as four elementwise ops
 * (Mul, Sub, Relu, Add), pads explicitly before every depthwise convolution, and subtracts the
 * mean colour through a full-size tensor built by Concat. On the WASM backend those elementwise
 * passes over the activations cost as much as the convolutions (tools/bench/predict-stages.ts).
 * Here each layer is one fused convolution with the bias inside, padding is the convolution's
 * own 'same', and the input normalisation is folded into the first layer's weights, which is
 * exact because that layer pads nothing. Box decoding, score threshold and NMS stay face-api's:
 * only `forwardInput`, the network's pass from input to grid, is replaced.
 *
 * The leaky ReLU goes inside the kernel only where the backend fuses it well (our native kernels,
 * WebGL, TensorFlow). The stock WASM backend runs a fused leaky ReLU 2-3x slower than face-api's
 * four ops, and its LeakyRelu and Maximum kernels no faster (tools/bench/conv-routing.ts), so
 * there the pass keeps face-api's four ops.
 */

interface ConvParams {
  filters: tf.Tensor4D;
  bias: tf.Tensor1D;
}
interface SeparableParams {
  depthwise_filter: tf.Tensor4D;
  pointwise_filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

/** The parts of face-api's TinyFaceDetector instance that the fused pass reads and replaces. */
export interface TinyDetectorNet {
  params?: Record<string, ConvParams | SeparableParams | undefined>;
  config?: { withSeparableConvs?: boolean; isFirstLayerConv2d?: boolean; meanRgb?: [number, number, number] };
  forwardInput(
    input: { toBatchTensor(size: number, isCenterInputs?: boolean): tf.Tensor4D },
    inputSize: number,
  ): Promise<tf.Tensor4D> | tf.Tensor4D;
}

/** face-api's leaky ReLU slope (its `leaky`: 0.1 as float32). */
const LEAKY_ALPHA = 0.10000000149011612;

const SEPARABLE_LAYERS = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'conv6', 'conv7'] as const;

interface FusedWeights {
  conv0: ConvParams;
  separable: (SeparableParams | undefined)[];
  conv8: ConvParams;
}

/** conv((x - mean) / 255) + b  ==  conv(x) with W/255, and b - sum(W * mean) / 255, for a 'valid' convolution. */
function foldNormalization(conv0: ConvParams, meanRgb: [number, number, number]): ConvParams {
  return tf.tidy(() => {
    const filters = tf.div(conv0.filters, 255) as tf.Tensor4D;
    const meanTerm = tf.sum(tf.mul(filters, tf.tensor4d(meanRgb, [1, 1, 3, 1])), [0, 1, 2]);
    return { filters: tf.keep(filters), bias: tf.keep(tf.sub(conv0.bias, meanTerm) as tf.Tensor1D) };
  });
}

/** face-api's own leaky ReLU, op for op. */
function leakyOps(x: tf.Tensor4D): tf.Tensor4D {
  const scaled = tf.mul(x, tf.scalar(LEAKY_ALPHA));
  return tf.add(tf.relu(tf.sub(x, scaled)), scaled);
}

/** The network from input batch to grid; runs inside the caller's tidy. */
function forward(w: FusedWeights, batch: tf.Tensor4D, leakyInKernel: boolean): tf.Tensor4D {
  const leakyFused = (x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, pad: 'same' | 'valid'): tf.Tensor4D =>
    leakyInKernel
      ? tf.fused.conv2d({ x, filter, bias, strides: 1, pad, activation: 'leakyrelu', leakyreluAlpha: LEAKY_ALPHA })
      : leakyOps(tf.fused.conv2d({ x, filter, bias, strides: 1, pad }));
  const separable = (x: tf.Tensor4D, layer: SeparableParams) =>
    leakyFused(tf.depthwiseConv2d(x, layer.depthwise_filter, 1, 'same'), layer.pointwise_filter, layer.bias, 'valid');
  // face-api's order: conv0, then a stride-2 pool before each of conv1..conv5, a stride-1 pool, conv6 and conv7 if present.
  let x = leakyFused(tf.cast(batch, 'float32'), w.conv0.filters, w.conv0.bias, 'valid');
  for (const layer of w.separable.slice(0, 5)) x = separable(tf.maxPool(x, 2, 2, 'same'), layer!);
  x = tf.maxPool(x, 2, 1, 'same');
  for (const layer of w.separable.slice(5)) if (layer) x = separable(x, layer);
  return tf.fused.conv2d({ x, filter: w.conv8.filters, bias: w.conv8.bias, strides: 1, pad: 'valid' });
}

type ForwardInput = TinyDetectorNet['forwardInput'];

/**
 * The fused pass for a loaded tiny detector, or null for nets of another layout (a regular-conv
 * tiny YOLO, or one without a mean colour). `leakyInKernel`: whether the backend's fused
 * convolution runs leaky ReLU fast (see above).
 */
export function fusedForwardInput(
  net: TinyDetectorNet,
  { leakyInKernel }: { leakyInKernel: boolean },
): ForwardInput | null {
  const p = net.params;
  const c = net.config;
  if (!p || !c?.withSeparableConvs || !c.isFirstLayerConv2d || !c.meanRgb) return null;
  const conv0 = p.conv0 as ConvParams | undefined;
  const conv8 = p.conv8 as ConvParams | undefined;
  if (!conv0?.filters || !conv8?.filters || conv0.filters.shape[2] !== 3) return null;
  if (SEPARABLE_LAYERS.slice(0, 5).some((name) => !(p[name] as SeparableParams | undefined)?.depthwise_filter))
    return null;
  const weights: FusedWeights = {
    conv0: foldNormalization(conv0, c.meanRgb),
    separable: SEPARABLE_LAYERS.map((name) => p[name] as SeparableParams | undefined),
    conv8,
  };
  return (input, inputSize) => tf.tidy(() => forward(weights, input.toBatchTensor(inputSize, false), leakyInKernel));
}

const fused = new WeakSet<TinyDetectorNet>();

/**
 * Replaces the loaded tiny detector's forward pass with the fused one; idempotent, the first call
 * decides. False, and face-api's own pass kept, for nets of another layout.
 */
export function fuseTinyFaceDetector(net: TinyDetectorNet, options: { leakyInKernel: boolean }): boolean {
  if (fused.has(net)) return true;
  const pass = fusedForwardInput(net, options);
  if (!pass) return false;
  net.forwardInput = pass;
  fused.add(net);
  return true;
}
