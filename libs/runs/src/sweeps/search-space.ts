import { z } from 'zod';
import {
  hyperparametersSchema,
  MAX_GRID_POINTS,
  type Hyperparameters,
  type ParameterRange,
  type SweepSpec,
} from '@moodlab/shared';
import { InvalidRequestError } from '../errors';

/** A trial's values, by dotted parameter path. */
export type TrialParams = Record<string, string | number | boolean>;

/** Parameters a sweep may not vary: the budget sets the length, and the trials must be comparable. */
const FIXED_BY_SWEEP = new Set(['epochs', 'initFrom', 'preprocessing.imageSize']);

/** The schema of one hyperparameter, by its dotted path; null when there is none. */
function fieldSchema(path: string): z.ZodType | null {
  let s: z.ZodType = hyperparametersSchema;
  for (const key of path.split('.')) {
    while (s instanceof z.ZodDefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable)
      s = s.unwrap() as z.ZodType;
    if (!(s instanceof z.ZodObject)) return null;
    const next = (s.shape as Record<string, z.ZodType | undefined>)[key];
    if (!next) return null;
    s = next;
  }
  return s;
}

const problem = (path: string, message: string) => new InvalidRequestError(`space.${path}: ${message}`);

/** Values a range can produce, to check against the hyperparameter's own schema. */
function probeValues(r: ParameterRange): (string | number | boolean)[] {
  if (r.kind === 'fixed') return [r.value];
  if (r.kind === 'choice') return r.values;
  return [r.low, r.high];
}

/**
 * Checks a spec's space against the hyperparameter schema and the method: unknown parameters,
 * empty or inverted ranges, a log range that reaches 0, values the schema refuses, a grid over a
 * continuous range or of more than MAX_GRID_POINTS points. Each error names its field.
 */
export function validateSpace(spec: SweepSpec): void {
  for (const [path, r] of Object.entries(spec.space)) {
    const schema = fieldSchema(path);
    if (!schema || schema instanceof z.ZodObject) throw problem(path, 'no such hyperparameter');
    if (FIXED_BY_SWEEP.has(path))
      throw problem(path, 'set by the sweep (budget.maxEpochs) or shared by all trials; put it in base');
    if (r.kind === 'uniform' || r.kind === 'log-uniform' || r.kind === 'int') {
      if (!(r.low < r.high)) throw problem(path, `low (${r.low}) must be below high (${r.high})`);
      if (r.kind === 'log-uniform' && r.low <= 0)
        throw problem(path, `a log-uniform range must stay above 0 (low is ${r.low})`);
      if (spec.method === 'grid' && r.kind !== 'int')
        throw problem(path, `a grid needs the values listed (kind "choice"), not a ${r.kind} range`);
    }
    for (const v of probeValues(r)) {
      const parsed = schema.safeParse(v);
      if (!parsed.success)
        throw problem(path, `${JSON.stringify(v)} is not allowed: ${parsed.error.issues[0]?.message}`);
    }
  }
  if (spec.method === 'grid') {
    const size = gridSize(spec.space);
    if (size > MAX_GRID_POINTS)
      throw new InvalidRequestError(`space: a grid of ${size} points; at most ${MAX_GRID_POINTS}`);
  }
  const base = trialHyperparametersResult(spec, {});
  if (!base.success) throw new InvalidRequestError(`base: ${z.prettifyError(base.error)}`);
}

function gridValues(r: ParameterRange): (string | number | boolean)[] {
  if (r.kind === 'fixed') return [r.value];
  if (r.kind === 'choice') return r.values;
  if (r.kind === 'int') return Array.from({ length: r.high - r.low + 1 }, (_, i) => r.low + i);
  throw new Error(`a grid cannot enumerate a ${r.kind} range`);
}

export function gridSize(space: SweepSpec['space']): number {
  return Object.values(space).reduce(
    (n, r) =>
      n *
      (r.kind === 'fixed'
        ? 1
        : r.kind === 'choice'
          ? r.values.length
          : r.kind === 'int'
            ? r.high - r.low + 1
            : Infinity),
    1,
  );
}

/** The grid's i-th point, the last parameter varying fastest. */
export function gridPoint(space: SweepSpec['space'], index: number): TrialParams {
  const out: TrialParams = {};
  let rest = index;
  const entries = Object.entries(space);
  for (let k = entries.length - 1; k >= 0; k--) {
    const [path, r] = entries[k]!;
    const values = gridValues(r);
    out[path] = values[rest % values.length]!;
    rest = Math.floor(rest / values.length);
  }
  return Object.fromEntries(entries.map(([p]) => [p, out[p]!]));
}

/** How many trials a sweep runs: its budget, or its whole grid if that is smaller. */
export function plannedTrials(spec: SweepSpec): number {
  return spec.method === 'grid' ? Math.min(spec.budget.trials, gridSize(spec.space)) : spec.budget.trials;
}

/** A value in [0, 1) to a value of the range: linear, logarithmic or integer. */
export function fromUnit(r: ParameterRange, u: number): string | number | boolean {
  if (r.kind === 'fixed') return r.value;
  if (r.kind === 'choice') return r.values[Math.min(r.values.length - 1, Math.floor(u * r.values.length))]!;
  if (r.kind === 'uniform') return r.low + u * (r.high - r.low);
  if (r.kind === 'log-uniform') return Math.exp(Math.log(r.low) + u * (Math.log(r.high) - Math.log(r.low)));
  return Math.min(r.high, r.low + Math.floor(u * (r.high - r.low + 1)));
}

/** A value of a numeric range back to [0, 1] (the inverse of fromUnit), for the model-based search. */
export function toUnit(r: ParameterRange, v: number): number {
  if (r.kind === 'uniform') return (v - r.low) / (r.high - r.low);
  if (r.kind === 'log-uniform') return (Math.log(v) - Math.log(r.low)) / (Math.log(r.high) - Math.log(r.low));
  if (r.kind === 'int') return (v - r.low + 0.5) / (r.high - r.low + 1);
  return 0;
}

export function sampleRandom(space: SweepSpec['space'], random: () => number): TrialParams {
  return Object.fromEntries(Object.entries(space).map(([p, r]) => [p, fromUnit(r, random())]));
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const child = node[key];
    node = node[key] = typeof child === 'object' && child !== null ? { ...(child as Record<string, unknown>) } : {};
  }
  node[keys.at(-1)!] = value;
}

function trialHyperparametersResult(spec: SweepSpec, params: TrialParams) {
  const hp: Record<string, unknown> = { ...spec.base, epochs: spec.budget.maxEpochs };
  for (const [path, value] of Object.entries(params)) setPath(hp, path, value);
  return hyperparametersSchema.safeParse(hp);
}

/** A trial's hyperparameters: the base, the trial's values at their paths, the budget's epochs. */
export function trialHyperparameters(spec: SweepSpec, params: TrialParams): Hyperparameters {
  const parsed = trialHyperparametersResult(spec, params);
  if (!parsed.success) throw new InvalidRequestError(`trial values do not fit: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * A small seeded generator (mulberry32): trials draw from their own stream, so a resumed
 * controller proposes the same values. Hand-written: a few lines, no dependency needed.
 */
export function seededRandom(...parts: number[]): () => number {
  let a = parts.reduce((h, p) => Math.imul(h ^ (p + 0x9e3779b9), 0x85ebca6b) >>> 0, 0x2545f491);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
