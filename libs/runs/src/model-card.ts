import { z } from 'zod';
import {
  batchNormRecalibrationSchema,
  classificationReportSchema,
  epochMetricSchema,
  pipelineFiguresSchema,
  storedHyperparametersSchema,
  weightAverageOutcomeSchema,
} from '@moodlab/shared';

/** The model card of a bundle (card.json): what a model was trained on, how, and how well it did. */
export const evaluationSchema = classificationReportSchema.extend({ split: z.string() });

export const initializedFromSchema = z.object({ architecture: z.string(), weightsSha256: z.string().length(64) });

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
    /** The teachers this run distilled from (distillFrom), by digest, as initializedFrom. Absent in older cards. */
    distilledFrom: z.array(initializedFromSchema).optional(),
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
