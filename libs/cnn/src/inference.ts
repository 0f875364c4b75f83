/**
 * The inference half of the library: what the dashboard, the prediction API and the browser
 * demo need, without training code.
 */
export { normalizeImages, toModelInput } from './data/preprocess';
export {
  loadModelFromArtifact,
  loadInferenceModel,
  inferenceCopy,
  layersModelJson,
  modelArtifactMetaSchema,
  modelMetadataSchema,
  type ModelArtifactMeta,
  type ModelMetadata,
} from './export/model-artifact';
export { argmaxRows, predictProbabilities } from './eval/predict';
export { registerWasmCopyKernels } from './backend/wasm-copy-kernels';
