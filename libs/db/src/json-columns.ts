import {
  classMetricsSchema,
  importReportSchema,
  type ImportReport,
  storedHyperparametersSchema,
  trainProgressSchema,
  type ClassMetrics,
  type Hyperparameters,
  type TrainProgress,
} from '@moodlab/shared';
import { z } from 'zod';

/**
 * Postgres JSON columns come back from Prisma as untyped JSON; the repositories parse them here,
 * with the schemas the writers used, so callers get typed values and a bad row fails loudly
 * with its column's name instead of deep inside a page.
 */
function parseColumn<T>(column: string, schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`stored ${column} does not parse: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

const confusionSchema = z.array(z.array(z.number()));
const splitCountsSchema = z.record(z.string(), z.record(z.string(), z.number()));

export interface EvaluationColumns {
  perClass: unknown;
  confusionMatrix: unknown;
}

/** An evaluation row with its per-class figures and confusion matrix typed. */
export function parseEvaluationRow<R extends EvaluationColumns>(
  row: R,
): Omit<R, 'perClass' | 'confusionMatrix'> & { perClass: ClassMetrics[]; confusionMatrix: number[][] } {
  return {
    ...row,
    perClass: parseColumn('Evaluation.perClass', z.array(classMetricsSchema), row.perClass),
    confusionMatrix: parseColumn('Evaluation.confusionMatrix', confusionSchema, row.confusionMatrix),
  };
}

/** A run row with its hyperparameters and progress typed. */
export function parseRunColumns<R extends { hyperparameters: unknown; progress?: unknown }>(
  row: R,
): Omit<R, 'hyperparameters' | 'progress'> & { hyperparameters: Hyperparameters; progress: TrainProgress | null } {
  return {
    ...row,
    hyperparameters: parseColumn('Run.hyperparameters', storedHyperparametersSchema, row.hyperparameters),
    progress: row.progress == null ? null : parseColumn('Run.progress', trainProgressSchema, row.progress),
  };
}

/** Dataset.report when no import made the dataset: `{}` (from a model card) or the built-in generator's note. */
const noImportSchema = z.union([z.object({}).strict(), z.object({ generated: z.literal(true) })]);

/** An import's report, or null for a dataset that no import made (generated, or known from a model card). */
export function parseImportReport(value: unknown): ImportReport | null {
  if (noImportSchema.safeParse(value).success) return null;
  return parseColumn('Dataset.report', importReportSchema, value);
}

/** Image counts per split and class, as a dataset stores them. */
export function parseSplitCounts(value: unknown): Record<string, Record<string, number>> {
  return parseColumn('Dataset.counts', splitCountsSchema, value);
}
