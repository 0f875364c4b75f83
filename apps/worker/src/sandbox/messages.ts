import { z } from 'zod';
import { BACKEND_ORDER } from '@moodlab/cnn/backend';
import {
  batchNormRecalibrationSchema,
  checkpointMetaSchema,
  classificationReportSchema,
  epochMetricSchema,
  hyperparametersSchema,
  trainProgressSchema,
  weightAverageOutcomeSchema,
} from '@moodlab/shared';

/** The IPC protocol between a job processor and its training child process. */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'expected bytes' });

export const parentMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('train'),
    hyperparameters: hyperparametersSchema,
    dataset: z.object({ meta: z.unknown(), data: bytes }),
    checkpoint: bytes.nullable(),
    /** The checkpoint's last epoch ended the run (see TrainInput.stoppedAtCheckpoint). */
    stoppedAtCheckpoint: z.boolean(),
    initialModel: z.object({ meta: z.unknown(), data: bytes }).nullable(),
    /** The artifacts of hyperparameters.distillFrom, in its order. */
    teachers: z.array(z.object({ meta: z.unknown(), data: bytes })),
    backend: z.enum(BACKEND_ORDER).optional(),
    threads: z.number().int().min(1),
    replicas: z.number().int().min(1),
  }),
  z.object({
    type: z.literal('evaluate'),
    model: z.object({ meta: z.unknown(), data: bytes }),
    dataset: z.object({ meta: z.unknown(), data: bytes }),
    split: z.string(),
    flipTta: z.boolean(),
    backend: z.enum(BACKEND_ORDER).optional(),
    threads: z.number().int().min(1),
  }),
]);
export type ParentMessage = z.infer<typeof parentMessageSchema>;

/** After each epoch the trainer waits for one of these: go on, or stop here as if early stopping (an ASHA verdict). */
export const epochAnswerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('continue') }),
  z.object({ type: z.literal('stop') }),
]);
export type EpochAnswer = z.infer<typeof epochAnswerSchema>;

export const childMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('backend'), name: z.string() }),
  z.object({ type: z.literal('progress'), progress: trainProgressSchema }),
  z.object({
    type: z.literal('epoch'),
    metric: epochMetricSchema,
    checkpoint: z.object({ data: bytes, digest: z.string(), meta: checkpointMetaSchema }),
  }),
  z.object({
    type: z.literal('trained'),
    history: z.array(epochMetricSchema),
    best: z.object({ epoch: z.number(), valAccuracy: z.number(), valLoss: z.number() }).nullable(),
    stoppedEarly: z.boolean(),
    averaged: weightAverageOutcomeSchema.nullable(),
    recalibrated: batchNormRecalibrationSchema.nullable(),
    model: z.object({ meta: z.record(z.string(), z.unknown()), data: bytes }),
    evaluation: classificationReportSchema.nullable(),
  }),
  z.object({ type: z.literal('evaluated'), report: classificationReportSchema }),
  z.object({
    type: z.literal('error'),
    message: z.string(),
    /** The child's sources changed on disk as it started threads: the job is handed back, not failed. */
    sourcesChanged: z.boolean().default(false),
  }),
]);
export type ChildMessage = z.infer<typeof childMessageSchema>;
