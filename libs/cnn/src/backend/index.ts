/**
 * `@moodlab/cnn/backend`: picks and starts the TensorFlow.js backend in Node (tfjs-node-gpu,
 * tfjs-node, or WASM with the native or WASM training kernels) and says which one runs.
 */
export {
  selectBackend,
  describeBackend,
  describeCpu,
  WASM_DIST_DIR,
  BACKEND_ORDER,
  type BackendName,
  type SelectedBackend,
} from './select-backend';
export { registerWasmTrainingKernels, conv2DBackpropFilterWasm, conv2DBackpropInputWasm } from './wasm-kernels';
export {
  NATIVE_MIN_DEPTH,
  nativeKernelsRegistered,
  routesToNative,
  setConvRouting,
  type ConvRouting,
} from './native-kernels';
