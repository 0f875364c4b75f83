/**
 * Training kernels for TF.js's WASM backend in Node: convolutions and batched matrix products on
 * OpenBLAS, BatchNorm in training and its gradient, max-pool gradient and column sums. Every array is a view of the
 * backend's heap; outputs are written in place. Convolution dims are, in order: N, H, W, C
 * (input), KH, KW, CO (filter), stride H, W, dilation H, W, pad top, left, out H, W. Pool dims:
 * N, H, W, C, window H, W, stride H, W, pad top, left, out H, W.
 */
export interface NativeKernels {
  /** `alpha` is the leaky ReLU's slope (activation 3). */
  conv2dForward(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    activation: NativeActivation,
    dims: Int32Array,
    y: Float32Array,
    alpha?: number,
  ): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dims: Int32Array, dw: Float32Array): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dims: Int32Array, dx: Float32Array): void;
  maxPoolGrad(x: Float32Array, y: Float32Array, dy: Float32Array, dims: Int32Array, dx: Float32Array): void;
  /** c = op(a) x op(b) per batch entry; dims: batch A, batch B (equal, or 1 for a shared side), M, K, N, transpose A, transpose B (0/1). */
  batchMatMul(a: Float32Array, b: Float32Array, dims: Int32Array, c: Float32Array): void;
  /** dst = a * dst + b * src, elementwise over dst's length. */
  scaleAdd(dst: Float32Array, src: Float32Array, a: number, b: number): void;
  /**
   * Adam's update of one variable: m and v in place, the new weights into out (w.length values);
   * constants: learning rate, beta1, beta2, epsilon, 1 - beta1^t, 1 - beta2^t.
   */
  adamUpdate(
    w: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    out: Float32Array,
    constants: Float32Array,
  ): void;
  /** out[c] = scale * sum over rows of src[r * cols + c]. */
  columnSums(src: Float32Array, rows: number, cols: number, scale: number, out: Float32Array): void;
  /** BatchNorm in training over x [rows, channels]: writes y, the batch mean and the biased variance. */
  batchNormForward(
    x: Float32Array,
    rows: number,
    channels: number,
    scale: Float32Array,
    offset: Float32Array,
    epsilon: number,
    y: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
  ): void;
  /** Its gradient, the statistics' dependence on x included: writes dx, dscale and doffset. */
  batchNormBackward(
    dy: Float32Array,
    x: Float32Array,
    rows: number,
    channels: number,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array,
    epsilon: number,
    dx: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  setThreads(threads: number): void;
  /** Convolutions on oneDNN (when it loaded) or on the im2col + OpenBLAS path; returns whether oneDNN is now in use. */
  useDnnl(on: boolean): boolean;
  /**
   * Off (default): each convolution pass runs on the library a fixed rule gives it, the same in
   * every process. On: on whichever of oneDNN and im2col was faster on its first calls here.
   */
  fastestConvolutions(on: boolean): void;
  /** How many convolutions oneDNN has computed in this process. */
  dnnlConvolutions(): number;
  /** openblas_get_config(): version, build options and kernel family. */
  blasConfig(): string;
  /** openblas_get_corename(): the kernel family in use, e.g. "SkylakeX", "Haswell", "Prescott". */
  blasCore(): string;
}

/** The activations fused into the forward kernel. */
export const NATIVE_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3 } as const;
export type NativeActivation = (typeof NATIVE_ACTIVATIONS)[keyof typeof NATIVE_ACTIVATIONS];
