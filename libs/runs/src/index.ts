export {
  NotFoundError,
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  PayloadTooLargeError,
  imagesMissing,
} from './errors';
export { promote, rollback, promotionRequestSchema, type PromotionRequest } from './promotion';
export {
  queueEvaluation,
  recordEvaluationReport,
  evaluationRequestSchema,
  type EvaluationDeps,
  type EvaluationRequest,
} from './evaluation';
export {
  startRun,
  cancelRun,
  resumeRun,
  startRunRequestSchema,
  resumeRunRequestSchema,
  type StartRunRequest,
  type ResumeRunRequest,
  type RunDeps,
} from './run-lifecycle';
export { loadDatasetPack, DEFAULT_PACK_CACHE } from './dataset-pack';
export { runLogs } from './run-logs';
export {
  importDataset,
  prepareImport,
  queueImport,
  importOptionsSchema,
  MAX_UPLOAD_BYTES,
  type ImportRequest,
  type ImportSource,
} from './dataset-import';
export {
  modelBundleOf,
  writeModelBundle,
  readModelBundle,
  registerModelBundle,
  writePipelineFigures,
  type ModelBundle,
} from './model-bundle';
export { modelCardSchema, type ModelCard } from './model-card';
export {
  reconcileRuns,
  requeueStalledRun,
  JOB_VANISHED,
  WORKER_LOST,
  type ReconcileAction,
  type ReconcileOptions,
} from './run-reconcile';
export { confineImportPath, importRootsSchema } from './import-roots';
export {
  createSweep,
  stopSweep,
  advanceSweep,
  trialVerdict,
  bestTrial,
  formatMetric,
  trialScore,
  proposeTrial,
  type SweepDeps,
} from './sweeps/sweep-service';
export { validateSpace, gridSize, trialHyperparameters, type TrialParams } from './sweeps/search-space';
export {
  ashaVerdict,
  simulateAsha,
  type RungVerdict,
  type ReplayedTrial,
  type TimedCurve,
  type TrialCurve,
} from './sweeps/asha';
export { sweepView } from './sweeps/sweep-view';
