import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { importResultSchema, preprocessingSchema } from '@moodlab/shared';

export const IMPORT_QUEUE = 'import';

/** Where the images come from: a folder or fer2013.csv on the worker's machine, or an uploaded zip (stored as an artifact). */
export const importSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('folder'), path: z.string().min(1) }),
  z.object({ kind: z.literal('csv'), path: z.string().min(1) }),
  z.object({ kind: z.literal('zip'), artifactId: z.uuid(), fileName: z.string().min(1) }),
]);

export const importPayloadSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[\w.-]+$/, 'use letters, digits, dot, dash and underscore'),
    source: importSourceSchema,
    imageSize: preprocessingSchema.shape.imageSize,
    onProblem: z.enum(['skip', 'fail']).default('skip'),
  })
  .strict();
export type ImportPayload = z.infer<typeof importPayloadSchema>;

export { importProgressSchema, importResultSchema } from '@moodlab/shared';
export type ImportResultSummary = z.infer<typeof importResultSchema>;

export const importJobOptions: JobsOptions = {
  attempts: 1,
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export function createImportQueue(connection: Redis): Queue<ImportPayload, ImportResultSummary> {
  return new Queue<ImportPayload, ImportResultSummary>(IMPORT_QUEUE, {
    connection,
    defaultJobOptions: importJobOptions,
  });
}

export async function enqueueImport(queue: Queue<ImportPayload, ImportResultSummary>, payload: unknown) {
  return queue.add('import', importPayloadSchema.parse(payload));
}
