export * from './inference';
export {
  selectBackend,
  describeBackend,
  describeCpu,
  WASM_DIST_DIR,
  BACKEND_ORDER,
  type BackendName,
  type SelectedBackend,
} from './backend/select-backend';
export { registerWasmTrainingKernels, conv2DBackpropFilterWasm, conv2DBackpropInputWasm } from './backend/wasm-kernels';
export {
  NATIVE_MIN_DEPTH,
  nativeKernelsRegistered,
  routesToNative,
  setConvRouting,
  type ConvRouting,
} from './backend/native-kernels';
export { createRng, shuffledIndices, type Rng } from './data/random';
export { augmentInto, gatherBatch, type Augmentation } from './data/augment';
export { classCounts, type LabeledImages } from './data/labeled-images';
export { generateSyntheticFaces, type SyntheticOptions } from './data/synthetic-faces';
export { packDataset, unpackSplit, packMetaSchema, type PackMeta, type PackedDataset } from './data/pack';
export { ARCHITECTURES, DEFAULT_ARCHITECTURE, getArchitecture, architectureNames } from './models/registry';
export type { Architecture, ArchitectureOptions } from './models/architecture';
export { trainModel, type TrainInput, type TrainResult } from './train/train';
export { computeGradients, type StepGradients } from './train/step';
export { encodeCheckpoint, restoreCheckpoint, type CheckpointState, type EncodedCheckpoint } from './train/checkpoint';
export { learningRateAt } from './train/schedules';
export {
  hasBatchNorm,
  isBatchNorm,
  recalibrateBatchNorm,
  type RecalibrateOptions,
} from './train/recalibrate-batchnorm';
export { balancedClassWeights } from './train/class-weights';
export { classificationReport, type ClassificationReport, type ClassMetrics } from './eval/metrics';
export { evaluateModel } from './eval/evaluate';
export { modelToArtifact, artifactMetaFromLayersModelJson, type ModelArtifact } from './export/model-artifact';
export { importClassFolders, type ImportOptions, type ImportResult } from './data/import/folder-import';
export { importFer2013Csv } from './data/import/csv-import';
export { importZip } from './data/import/zip-import';
export { decodeGray } from './data/import/decode';
export type { ImportReport, ImportProblem, ProblemPolicy } from './data/import/report';
