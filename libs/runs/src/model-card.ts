import { z } from 'zod';
import {
  batchNormRecalibrationSchema,
  classificationReportSchema,
  epochMetricSchema,
  storedHyperparametersSchema,
  weightAverageOutcomeSchema,
} from '@moodlab/shared';

/** The model card of a bundle (card.json): what a model was trained on, how, and how well it did. */
export const evaluationSchema = classificationReportSchema.extend({ split: z.string() });

export const initializedFromSchema = z.object({ architecture: z.string(), weightsSha256: z.string().length(64) });

/**
 * How a model did through the live pipeline (`tools/bench/pipeline-accuracy.ts --write-card`): faces
 * pasted into camera-sized frames, then detected, framed, cropped and classified as the server and
 * /demo do, beside face-api's own expression model on the same detections. Fractions, 0 to 1.
 */
export const pipelineFiguresSchema = z.object({
  measuredAt: z.iso.date(),
  /** The faces, frames, detector and classifier settings, in words. */
  setup: z.string(),
  rows: z.array(
    z.object({
      layout: z.string(),
      facePx: z.number().int().positive(),
      faces: z.number().int().nonnegative(),
      detected: z.number().min(0).max(1),
      exactCrops: z.number().min(0).max(1),
      ofDetected: z.number().min(0).max(1),
      overall: z.number().min(0).max(1),
      faceApiOfDetected: z.number().min(0).max(1),
      faceApiOverall: z.number().min(0).max(1),
    }),
  ),
  /** Per class, the share of the faces detected at 192 px (one a frame) that the model named right. */
  recallAt192: z.record(z.string(), z.number().min(0).max(1).nullable()),
});
export type PipelineFigures = z.infer<typeof pipelineFiguresSchema>;

export const modelCardSchema = z.object({
  format: z.literal('moodlab-model-card-v1'),
  architecture: z.string(),
  weightsSha256: z.string().length(64),
  dataset: z.object({
    name: z.string(),
    source: z.string(),
    digest: z.string(),
    imageSize: z.number().int(),
    classNames: z.array(z.string()),
    counts: z.record(z.string(), z.record(z.string(), z.number())),
  }),
  run: z.object({
    hyperparameters: storedHyperparametersSchema,
    backend: z.string().nullable(),
    codeVersion: z.string().nullable(),
    tags: z.array(z.string()),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    epochs: z.array(epochMetricSchema),
    /**
     * The weights this run started from (initFrom), by digest: version numbers are local to a
     * database, the digest finds the parent on any machine that has it. Absent in older cards.
     */
    initializedFrom: initializedFromSchema.nullable().optional(),
    /** Set when the run averaged its last epochs' weights. Absent in older cards. */
    averaged: weightAverageOutcomeSchema.nullable().optional(),
    /** Set when the BatchNorm statistics were recomputed after training. Absent in older cards. */
    recalibrated: batchNormRecalibrationSchema.nullable().optional(),
  }),
  evaluations: z.array(evaluationSchema),
  /** Set once the pipeline benchmark has measured this model. Absent in older cards. */
  pipeline: pipelineFiguresSchema.nullable().optional(),
});
export type ModelCard = z.infer<typeof modelCardSchema>;
