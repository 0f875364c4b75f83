import { z } from 'zod';
import { RUN_STATUSES } from './status';

/**
 * A hyperparameter sweep's spec: the one schema the dashboard's form, the API, the CLI and the
 * controller read. Parameters are named by their dotted path in the hyperparameter schema
 * (`learningRate`, `augmentation.zoom`).
 */
export const parameterRangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), value: z.union([z.number(), z.string(), z.boolean()]) }),
  z.object({
    kind: z.literal('choice'),
    values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1),
  }),
  z.object({ kind: z.literal('uniform'), low: z.number(), high: z.number() }),
  z.object({ kind: z.literal('log-uniform'), low: z.number(), high: z.number() }),
  z.object({ kind: z.literal('int'), low: z.number().int(), high: z.number().int() }),
]);
export type ParameterRange = z.infer<typeof parameterRangeSchema>;

export const SWEEP_METHODS = ['grid', 'random', 'tpe'] as const;
export type SweepMethod = (typeof SWEEP_METHODS)[number];

/** What a sweep optimises: an epoch metric of its trials, the best epoch's value per trial. */
export const SWEEP_METRIC_NAMES = ['valAccuracy', 'valLoss'] as const;
export type SweepMetric = (typeof SWEEP_METRIC_NAMES)[number];
/** Which way each metric improves. */
export const SWEEP_METRICS: Record<SweepMetric, 'max' | 'min'> = { valAccuracy: 'max', valLoss: 'min' };

export const MAX_GRID_POINTS = 1000;

export const sweepSpecSchema = z.object({
  name: z.string().min(1).max(100),
  datasetId: z.uuid(),
  /** Hyperparameters every trial shares (the schema's defaults fill the rest). */
  base: z.record(z.string(), z.unknown()).default({}),
  space: z
    .record(z.string(), parameterRangeSchema)
    .refine((s) => Object.keys(s).length > 0, 'give at least one parameter'),
  method: z.enum(SWEEP_METHODS).default('random'),
  metric: z
    .enum(SWEEP_METRIC_NAMES, { error: `a sweep optimises ${SWEEP_METRIC_NAMES.join(' or ')}` })
    .default('valAccuracy'),
  budget: z.object({
    trials: z.number().int().min(1).max(500),
    parallelism: z.number().int().min(1).max(32).default(2),
    /** Each trial's epochs (its `epochs` hyperparameter). */
    maxEpochs: z.number().int().min(1).max(500),
  }),
  /** ASHA: rungs at minEpochs, minEpochs * eta, ...; at each a trial goes on only in the top 1/eta of those that reached it. */
  earlyTermination: z
    .object({ kind: z.literal('asha'), minEpochs: z.number().int().min(1), eta: z.number().int().min(2).max(10) })
    .nullable()
    .default(null),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(1),
});
export type SweepSpec = z.infer<typeof sweepSpecSchema>;
export type SweepSpecInput = z.input<typeof sweepSpecSchema>;

export const SWEEP_STATUSES = ['running', 'completed', 'stopped', 'failed'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

/** The epochs at which ASHA compares trials: r, r*eta, r*eta^2, ... below the trials' length. */
export function ashaRungs(spec: Pick<SweepSpec, 'earlyTermination' | 'budget'>): number[] {
  const et = spec.earlyTermination;
  if (!et) return [];
  const rungs: number[] = [];
  for (let e = et.minEpochs; e < spec.budget.maxEpochs; e *= et.eta) rungs.push(e);
  return rungs;
}

/** A sweep as the dashboard, the API and the CLI show it: its trials with their rung and metric. */
export const sweepViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  status: z.enum(SWEEP_STATUSES),
  note: z.string().nullable(),
  dataset: z.object({ id: z.uuid(), name: z.string() }),
  spec: sweepSpecSchema,
  planned: z.number().int(),
  epochsSpent: z.number().int(),
  trials: z.array(
    z.object({
      runId: z.uuid(),
      trialIndex: z.number().int(),
      status: z.enum(RUN_STATUSES),
      epochs: z.number().int(),
      /** ASHA rungs passed (0 before the first). */
      rung: z.number().int(),
      /** Best value of the metric so far, higher-is-better (valLoss negated); null before an epoch. */
      score: z.number().nullable(),
      metric: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      note: z.string().nullable(),
      modelVersion: z.object({ id: z.uuid(), version: z.number().int() }).nullable(),
    }),
  ),
});
export type SweepView = z.infer<typeof sweepViewSchema>;
