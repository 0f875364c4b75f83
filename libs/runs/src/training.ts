/**
 * `@moodlab/runs/training`: workflows that run model training code in the calling process
 * (BatchNorm recalibration of a model version). The CLI and workers use them; the dashboard,
 * which only enqueues work, imports `@moodlab/runs` and never loads training code.
 */
export {
  recalibrateModelVersion,
  recalibrateRequestSchema,
  type RecalibrateRequest,
  type RecalibrateResult,
} from './recalibrate-version';
