/**
 * `@moodlab/cnn/training`: the architectures, the training loop (replica threads, schedules,
 * checkpoints, weight averaging), BatchNorm recalibration and class weights. Workers, the CLI
 * and benchmarks use it; the dashboard never does.
 */
// Registers the training-fast BatchNormalization under the stock class name as soon as training
// code is loaded, so that models loaded afterwards (checkpoints, --init-from) train on the fused
// kernels too; inference keeps the stock layer.
import './models/batchnorm-layer';
export { ARCHITECTURES, getArchitecture } from './models/registry';
export type { Architecture, ArchitectureOptions } from './models/architecture';
export { trainModel, type TrainInput, type TrainResult } from './train';
export { computeGradients, applyGradients, averageGradients, type StepGradients } from './step';
export { ReplicaPool } from './replica-pool';
export { ArrayAdam } from './array-adam';
export { arraysFor } from './tensor-arrays';
export { encodeCheckpoint, restoreCheckpoint, type CheckpointState, type EncodedCheckpoint } from './checkpoint';
export { learningRateAt } from './schedules';
export { hasBatchNorm, isBatchNorm, recalibrateBatchNorm, type RecalibrateOptions } from './recalibrate-batchnorm';
export { balancedClassWeights } from './class-weights';
export { gatherTargets, teacherTargets } from './teacher-targets';
export { averageWeightsInto } from './average-weights';
