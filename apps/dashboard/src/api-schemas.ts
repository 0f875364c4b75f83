import { z } from 'zod';
import {
  classMetricsSchema,
  epochMetricSchema,
  importProgressSchema,
  importResultSchema,
  modelVersionSummarySchema,
  RUN_STATUSES,
  storedHyperparametersSchema,
  trainProgressSchema,
} from '@moodlab/shared';

/**
 * The JSON the dashboard's routes send to its own pages: each route builds its body to the type
 * here, and each page parses what it receives with the schema, so the two cannot drift apart.
 */

/** GET /api/models: one row per model version, newest first. */
export const modelListItemSchema = z.object({
  id: z.uuid(),
  version: z.number().int(),
  architecture: z.string(),
  dataset: z.string(),
  createdAt: z.coerce.date(),
  promoted: z.boolean(),
});
export type ModelListItem = z.infer<typeof modelListItemSchema>;

/** GET /api/evaluations/:id/cell: the faces behind one confusion-matrix cell. */
export const cellSamplesSchema = z.object({
  split: z.string(),
  datasetId: z.uuid(),
  total: z.number().int(),
  samples: z.array(z.object({ index: z.number().int(), confidence: z.number(), trueScore: z.number() })),
});
export type CellSamples = z.infer<typeof cellSamplesSchema>;

/** GET /api/datasets/import/:jobId: an import job's state for the progress bar. */
export const importStatusSchema = z.object({
  state: z.string(),
  progress: z.union([importProgressSchema, z.number()]),
  result: importResultSchema.nullable(),
  error: z.string().nullable(),
});
export type ImportStatus = z.infer<typeof importStatusSchema>;

export const evaluationViewSchema = z.object({
  id: z.uuid(),
  datasetId: z.uuid(),
  split: z.string(),
  accuracy: z.number(),
  macroF1: z.number(),
  perClass: z.array(classMetricsSchema),
  confusionMatrix: z.array(z.array(z.number())),
});

/** A run as its page shows it: the first render's props and every server-sent event after. */
export const runViewSchema = z.object({
  id: z.uuid(),
  /** `import`: a model brought from a Keras file, with no epochs of its own. */
  kind: z.enum(['train', 'evaluate', 'import']),
  status: z.enum(RUN_STATUSES),
  architecture: z.string(),
  backend: z.string().nullable(),
  error: z.string().nullable(),
  workerId: z.string().nullable(),
  hyperparameters: storedHyperparametersSchema,
  progress: trainProgressSchema.nullable(),
  dataset: z.object({ id: z.uuid(), name: z.string() }),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  epochs: z.array(epochMetricSchema.extend({ id: z.string() })),
  modelVersions: z.array(
    z.object({
      id: z.uuid(),
      version: z.number().int(),
      summary: modelVersionSummarySchema,
      evaluations: z.array(evaluationViewSchema),
    }),
  ),
  logs: z.array(z.string()),
  /** Set while the run's worker has missed its heartbeats (it died): how long it has been silent. */
  workerSilentSeconds: z.number().nullable().optional(),
});
export type RunView = z.infer<typeof runViewSchema>;
export type EvaluationView = z.infer<typeof evaluationViewSchema>;

/** 202 from the routes that queue a job (evaluate, import). */
export const jobAcceptedSchema = z.object({ jobId: z.string() });

/** 201 from POST /api/runs: the new run. */
export const runCreatedSchema = z.object({ id: z.uuid() });

/** POST /api/models/import: the model version a Keras file became (or already was). */
export const kerasImportedSchema = z.object({
  version: z.number().int(),
  modelVersionId: z.uuid(),
  runId: z.uuid().nullable(),
  created: z.boolean(),
  evaluationJobId: z.string().nullable(),
});

/** GET /api/sweeps/:id: a sweep with its trials (built by the service layer's sweepView). */
export { sweepViewSchema, type SweepView } from '@moodlab/shared';
