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
