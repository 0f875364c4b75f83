import type * as tf from '@tensorflow/tfjs';

/**
 * The WASM backend's own buffers, for kernels written as plain loops over its heap (or handed to
 * the native addon). Views must be taken after makeOutput: growing the heap detaches earlier ones.
 * `View` is the typed array a kernel reads: float32 for the training kernels, any for copies.
 */
export interface WasmHeapBackend<View extends Float32Array | Int32Array | Uint8Array = Float32Array> {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): View;
  /** Another reference to a tensor's buffer (tensors are immutable, so outputs may share it). */
  incRef(dataId: tf.DataId): void;
}
