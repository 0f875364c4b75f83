import { formatPercent } from './format';
import { pipelineFiguresSchema } from './pipeline-figures';
import { z } from 'zod';

/*
 * How a run's weights were finished after its last epoch (weight averaging, BatchNorm
 * recalibration): recorded in the model version's summary and in its model card.
 */

/**
 * How a run's weight average (averageLastEpochs) came out: over how many epochs, its validation
 * accuracy (with recomputed BatchNorm statistics when the run recalibrates), whether it became the model.
 */
export const weightAverageOutcomeSchema = z.object({
  epochs: z.number().int().min(1),
  valAccuracy: z.number().nullable(),
  used: z.boolean(),
});
export type WeightAverageOutcome = z.infer<typeof weightAverageOutcomeSchema>;

/**
 * How recomputing the BatchNorm statistics (recalibrateBatchNorm) came out: over how many training
 * images, the chosen weights' validation accuracy before and after, and whether the new statistics were kept.
 */
export const batchNormRecalibrationSchema = z.object({
  images: z.number().int().min(1),
  valAccuracyBefore: z.number().nullable(),
  valAccuracy: z.number().nullable(),
  used: z.boolean(),
});
export type BatchNormRecalibration = z.infer<typeof batchNormRecalibrationSchema>;

/**
 * A model version's headline figures as stored (ModelVersion.summary): the worker, bundle
 * registration and recalibration each write some of these fields; a field a writer did not know
 * reads as absent, never as an error, so old rows keep loading.
 */
/** Where an imported model came from and how its outputs and inputs were read (a Keras file). */
export const importedModelSchema = z.object({
  fileName: z.string(),
  sha256: z.string(),
  layout: z.enum(['hdf5', 'keras-zip']),
  kerasVersion: z.string().nullable(),
  /** The file's output order, which the import permuted to ours. */
  classOrder: z.array(z.string()),
  normalization: z.string(),
  /** `file`: a file `moodlab export` wrote, which records both; `request`: the importer said. */
  settingsFrom: z.enum(['request', 'file']),
});
export type ImportedModel = z.infer<typeof importedModelSchema>;

export const modelVersionSummarySchema = z.object({
  epochs: z.number().int().optional().catch(undefined),
  bestEpoch: z.number().int().nullable().optional().catch(undefined),
  bestValAccuracy: z.number().nullable().optional().catch(undefined),
  finalValAccuracy: z.number().nullable().optional().catch(undefined),
  stoppedEarly: z.boolean().optional().catch(undefined),
  /** Set when the version came from a model bundle (models/default ships one). */
  registeredFrom: z.string().optional().catch(undefined),
  averaged: weightAverageOutcomeSchema.optional().catch(undefined),
  recalibrated: batchNormRecalibrationSchema.optional().catch(undefined),
  recalibratedFrom: z.object({ version: z.number() }).optional().catch(undefined),
  imported: importedModelSchema.optional().catch(undefined),
  /** The live pipeline's figures, from the card of the bundle the version was registered from. */
  pipeline: pipelineFiguresSchema.optional().catch(undefined),
});
export type ModelVersionSummary = z.infer<typeof modelVersionSummarySchema>;

/**
 * How a model version's weights were finished after the last epoch, from its stored summary, one
 * short line per step for people (the dashboard's run page); [] when nothing was done.
 */
export function describeFinishing(summary: unknown): string[] {
  const s = modelVersionSummarySchema.catch({}).parse(summary);
  const lines: string[] = [];
  if (s.averaged)
    lines.push(
      `weights averaged over the last ${s.averaged.epochs} epochs (val ${formatPercent(s.averaged.valAccuracy)}): ${s.averaged.used ? 'used' : 'not used'}`,
    );
  if (s.recalibrated) {
    const r = s.recalibrated;
    lines.push(
      `BatchNorm statistics recomputed over ${r.images} training images${s.recalibratedFrom ? ` from v${s.recalibratedFrom.version}` : ''} (val ${formatPercent(r.valAccuracyBefore)} → ${formatPercent(r.valAccuracy)}): ${r.used ? 'kept' : 'discarded'}`,
    );
  }
  return lines;
}
