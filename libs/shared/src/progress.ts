import { z } from 'zod';

/** What a worker reports while a run trains; travels as BullMQ job progress and over SSE. */
export const epochMetricSchema = z.object({
  epoch: z.number().int().min(0),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  learningRate: z.number(),
  durationMs: z.number().int().min(0),
});
export type EpochMetricData = z.infer<typeof epochMetricSchema>;

/** How a run's weight average (averageLastEpochs) came out: over how many epochs, its validation accuracy, whether it became the model. */
export const weightAverageOutcomeSchema = z.object({ epochs: z.number().int().min(1), valAccuracy: z.number().nullable(), used: z.boolean() });
export type WeightAverageOutcome = z.infer<typeof weightAverageOutcomeSchema>;

/**
 * How recomputing the BatchNorm statistics (recalibrateBatchNorm) came out: over how many training
 * images, validation accuracy before and after, and whether the new statistics were kept.
 */
export const batchNormRecalibrationSchema = z.object({
  images: z.number().int().min(1), valAccuracyBefore: z.number().nullable(), valAccuracy: z.number().nullable(), used: z.boolean(),
});
export type BatchNormRecalibration = z.infer<typeof batchNormRecalibrationSchema>;

export const trainProgressSchema = z.object({
  phase: z.enum(['loading', 'training', 'evaluating', 'calibrating', 'saving']),
  epoch: z.number().int().min(0),
  epochs: z.number().int().min(1),
  batch: z.number().int().min(0),
  batches: z.number().int().min(0),
  /** Fraction of the whole run done, 0..1. */
  fraction: z.number().min(0).max(1),
});
export type TrainProgress = z.infer<typeof trainProgressSchema>;

/** One line for people (the dashboard and the CLI): where a run is. */
export function describeProgress(p: TrainProgress): string {
  if (p.phase === 'calibrating') return `recomputing BatchNorm statistics: layer ${p.batch}/${p.batches}`;
  return `${p.phase}: epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}, batch ${p.batch}/${p.batches}`;
}
