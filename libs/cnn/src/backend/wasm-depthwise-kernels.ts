import * as tf from '@tensorflow/tfjs';
import type { WasmHeapBackend } from './wasm-heap';

/**
 * The two gradients of a depthwise convolution, which TF.js's WASM backend does not have (its
 * SeparableConv2D and DepthwiseConv2D train nowhere else in Node without tfjs-node). Written as
 * plain loops over the backend's heap: depthwise convolutions are cheap (one filter per channel),
 * and no library offers these kernels for this backend.
 */
type Attrs = {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: tf.KernelBackend; attrs: Record<string, unknown> };

function depthwiseInfo(xShape: number[], filterShape: number[], a: Attrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
    'channelsLast',
  );
}

/**
 * Visits every (output position, filter tap) pair whose input position lies inside the image,
 * with the flat offsets of the input pixel, the output pixel and the filter tap.
 */
function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (inOffset: number, outOffset: number, tapOffset: number) => void,
): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  for (let b = 0; b < batchSize; b++)
    for (let oy = 0; oy < outHeight; oy++)
      for (let ox = 0; ox < outWidth; ox++) {
        const outOffset = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = oy * strideHeight - info.padInfo.top + ky * dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth - info.padInfo.left + kx * dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            visit(((b * inHeight + iy) * inWidth + ix) * inChannels, outOffset, (ky * filterWidth + kx) * outChannels);
          }
        }
      }
}

/** dL/dx[b, y, x, c] = sum of dy[b, oy, ox, c * m + k] * filter[ky, kx, c, k] over the taps that read it. */
export function depthwiseBackpropInputWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as Attrs & { inputShape: number[] };
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput([...a.inputShape], 'float32');
  const dx = heap.typedArrayFromHeap(out);
  dx.fill(0);
  const g = heap.typedArrayFromHeap(dy);
  const f = heap.typedArrayFromHeap(filter);
  const { inChannels } = info;
  const channelMul = info.outChannels / inChannels;
  forEachTap(info, (i, o, t) => {
    for (let c = 0; c < inChannels; c++) {
      let sum = 0;
      for (let k = 0; k < channelMul; k++) sum += g[o + c * channelMul + k]! * f[t + c * channelMul + k]!;
      dx[i + c] = dx[i + c]! + sum;
    }
  });
  return out;
}

/** dL/dfilter[ky, kx, c, k] = sum of x[b, y, x, c] * dy[b, oy, ox, c * m + k] over every position. */
export function depthwiseBackpropFilterWasm({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as Attrs & { filterShape: number[] };
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  const heap = backend as unknown as WasmHeapBackend;
  const out = heap.makeOutput([...a.filterShape], 'float32');
  const dw = heap.typedArrayFromHeap(out);
  // Accumulated in float64: a filter tap sums over every position of the batch.
  const acc = new Float64Array(dw.length);
  const xs = heap.typedArrayFromHeap(x);
  const g = heap.typedArrayFromHeap(dy);
  const { inChannels } = info;
  const channelMul = info.outChannels / inChannels;
  forEachTap(info, (i, o, t) => {
    for (let c = 0; c < inChannels; c++) {
      const v = xs[i + c]!;
      for (let k = 0; k < channelMul; k++) acc[t + c * channelMul + k]! += v * g[o + c * channelMul + k]!;
    }
  });
  dw.set(acc);
  return out;
}
