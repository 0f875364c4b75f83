/**
 * `@moodlab/cnn/inference`: what the dashboard, the prediction API and the browser demo need:
 * preprocessing, loading a model artifact, prediction, evaluation metrics and BatchNorm folding.
 * Browser-safe: no `node:` imports and no training code (the boundary check enforces both).
 */
export { normalizeImages, toModelImages, toModelInput, toModelLayout } from './preprocess';
export {
  loadModelFromArtifact,
  loadInferenceModel,
  inferenceCopy,
  layersModelJson,
  modelToArtifact,
  artifactMetaFromLayersModelJson,
  modelArtifactMetaSchema,
  modelMetadataSchema,
  type ModelArtifact,
  type ModelArtifactMeta,
  type ModelMetadata,
} from './model-artifact';
export { argmaxRows, predictProbabilities } from './predict';
export { accuracy, classificationReport, type ClassificationReport, type ClassMetrics } from './metrics';
export { evaluateModel } from './evaluate';
export { registerWasmCopyKernels } from '../backend/wasm-copy-kernels';
