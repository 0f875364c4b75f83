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

export const trainProgressSchema = z.object({
  phase: z.enum(['loading', 'training', 'evaluating', 'calibrating', 'teaching', 'saving']),
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
  if (p.phase === 'teaching') return `teachers labelling the training images: ${p.batch}/${p.batches}`;
  return `${p.phase}: epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}, batch ${p.batch}/${p.batches}`;
}
