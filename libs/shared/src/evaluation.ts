import { z } from 'zod';

/** One class's figures in an evaluation. */
export const classMetricsSchema = z.object({
  label: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number(),
});
export type ClassMetrics = z.infer<typeof classMetricsSchema>;

/**
 * An evaluation's figures: what the metrics compute, the training child reports, the database's
 * JSON columns hold and the model card carries. `confusion[true][predicted]`.
 */
export const classificationReportSchema = z.object({
  accuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(classMetricsSchema),
  confusion: z.array(z.array(z.number())),
});
export type ClassificationReport = z.infer<typeof classificationReportSchema>;

const FLIP_TTA_SUFFIX = '+flip-tta';

/**
 * The name an evaluation is stored under: the split, marked when predictions averaged the image
 * and its mirror, so that both can be stored for one model and told apart. The one naming rule,
 * for the CLI, the workers and the dashboard.
 */
export function evaluationSplitName(split: string, flipTta: boolean): string {
  return flipTta ? `${split}${FLIP_TTA_SUFFIX}` : split;
}

/** The split and the test-time augmentation an evaluation's stored name stands for. */
export function parseEvaluationSplit(name: string): { split: string; flipTta: boolean } {
  return name.endsWith(FLIP_TTA_SUFFIX)
    ? { split: name.slice(0, -FLIP_TTA_SUFFIX.length), flipTta: true }
    : { split: name, flipTta: false };
}
