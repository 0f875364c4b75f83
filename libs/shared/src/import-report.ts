import { z } from 'zod';

export const importProblemSchema = z.object({ file: z.string(), reason: z.string() });
export type ImportProblem = z.infer<typeof importProblemSchema>;

/**
 * What an import found and kept, stored with the dataset (Dataset.report) and shown on its page
 * and by the CLI. Datasets known only from a model card have none.
 */
export const importReportSchema = z.object({
  files: z.number(),
  kept: z.record(z.string(), z.number()),
  undecodable: z.array(importProblemSchema),
  blank: z.array(importProblemSchema),
  unknownClasses: z.array(z.string()),
  duplicatesWithinSplit: z.number(),
  conflictingLabels: z.number(),
  crossSplitDuplicates: z.number(),
});
export type ImportReport = z.infer<typeof importReportSchema>;

/** An import job's progress: images decoded so far of those found (0 while a CSV is still being counted). */
export const importProgressSchema = z.object({ done: z.number().int().min(0), total: z.number().int().min(0) });

/** What a finished import job returns: the new dataset, and the images it kept per split. */
export const importResultSchema = z.object({
  datasetId: z.uuid(),
  kept: z.record(z.string(), z.number()),
  files: z.number(),
});
