import { z } from 'zod';
import {
  createSweepRecord,
  finishSweep,
  getDataset,
  getSweepWithTrials,
  sweepMetricsAtEpoch,
  trialAtEpoch,
  type Db,
  type Prisma,
} from '@moodlab/db';
import { enqueueSweep, type createSweepQueue } from '@moodlab/jobs';
import {
  ashaRungs,
  formatPercent,
  SWEEP_METRICS,
  sweepSpecSchema,
  TERMINAL_STATUSES,
  type RunStatus,
  type SweepSpec,
} from '@moodlab/shared';
import { imagesMissing, InvalidRequestError, NotFoundError } from '../errors';
import { cancelRun, startRun, type RunDeps } from '../run-lifecycle';
import { ashaVerdict } from './asha';
import {
  gridPoint,
  plannedTrials,
  sampleRandom,
  seededRandom,
  trialHyperparameters,
  validateSpace,
  type TrialParams,
} from './search-space';
import { suggestTpe, type Observation } from './tpe';

export interface SweepDeps extends RunDeps {
  sweepQueue: ReturnType<typeof createSweepQueue>;
}

const trialParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A trial's score, higher-is-better whatever the metric's goal: its best epoch's value. */
export function trialScore(
  spec: SweepSpec,
  epochs: { valAccuracy: number | null; valLoss: number | null }[],
): number | null {
  const values = epochs.map((e) => e[spec.metric]).filter((v): v is number => v !== null);
  if (!values.length) return null;
  return SWEEP_METRICS[spec.metric] === 'max' ? Math.max(...values) : -Math.min(...values);
}

/** A score back in the metric's own terms, for people. */
export function formatMetric(spec: Pick<SweepSpec, 'metric'>, score: number | null): string {
  if (score === null) return '–';
  return spec.metric === 'valAccuracy' ? formatPercent(score) : (-score).toFixed(4);
}

/** Validates a spec (400s name the field), records the sweep and queues its controller. */
export async function createSweep(deps: SweepDeps, body: unknown) {
  const parsed = sweepSpecSchema.safeParse(body);
  if (!parsed.success) throw new InvalidRequestError(z.prettifyError(parsed.error));
  const spec = parsed.data;
  validateSpace(spec);
  const dataset = await getDataset(deps.db, spec.datasetId);
  if (!dataset) throw new NotFoundError(`Unknown dataset id ${spec.datasetId}`);
  if (!dataset.packId) throw imagesMissing(dataset.name);
  if (!('validation' in dataset.counts))
    throw new InvalidRequestError(
      `datasetId: dataset "${dataset.name}" has no validation split to compute ${spec.metric} on`,
    );
  const et = spec.earlyTermination;
  if (et && et.minEpochs >= spec.budget.maxEpochs)
    throw new InvalidRequestError(
      `earlyTermination.minEpochs: the first rung (${et.minEpochs}) must come before the trials end (budget.maxEpochs ${spec.budget.maxEpochs})`,
    );
  const sweep = await createSweepRecord(deps.db, {
    name: spec.name,
    datasetId: spec.datasetId,
    spec: spec as Prisma.InputJsonValue,
  });
  await enqueueSweep(deps.sweepQueue, { sweepId: sweep.id });
  return sweep;
}

/** Stops a sweep: no new trials, and the running ones are cancelled. */
export async function stopSweep(deps: SweepDeps, id: string) {
  const sweep = await getSweepWithTrials(deps.db, id);
  if (!sweep) throw new NotFoundError(`Unknown sweep id ${id}`);
  const stopped = await finishSweep(deps.db, id, 'stopped', 'stopped by request');
  for (const t of sweep.runs) if (!TERMINAL_STATUSES.includes(t.status as RunStatus)) await cancelRun(deps, t.id);
  return { stopped, status: stopped ? 'stopped' : sweep.status };
}

/** The values trial `index` tries: the grid's point, a random draw, or the model-based suggestion. */
/**
 * Trial `index`'s values: a grid point, or a random draw from the trial's own seeded stream (so
 * the same for any controller, and outside a sweep); TPE's depend on the finished trials' scores.
 */
export function proposeTrial(spec: SweepSpec, index: number, observations: Observation[] = []): TrialParams {
  if (spec.method === 'grid') return gridPoint(spec.space, index);
  const random = seededRandom(spec.seed, index);
  const startup = Math.min(10, Math.max(3, Math.floor(spec.budget.trials / 3)));
  if (spec.method === 'tpe' && observations.length >= startup) return suggestTpe(spec.space, observations, random);
  return sampleRandom(spec.space, random);
}

/**
 * One pass of a sweep's controller: starts trials while fewer than `parallelism` are queued or
 * running and the budget allows, and finishes the sweep when every trial has ended. Safe to run
 * again at any time, from any worker: each trial's number is unique in the sweep, so a second
 * controller cannot start it twice. Returns whether the sweep is over.
 */
export async function advanceSweep(deps: SweepDeps, id: string): Promise<{ done: boolean; started: number }> {
  const sweep = await getSweepWithTrials(deps.db, id);
  if (!sweep) return { done: true, started: 0 };
  if (sweep.status !== 'running') return { done: true, started: 0 };
  const spec = sweepSpecSchema.parse(sweep.spec);
  const planned = plannedTrials(spec);
  const active = sweep.runs.filter((t) => !TERMINAL_STATUSES.includes(t.status as RunStatus)).length;
  const observations = sweep.runs.flatMap((t) => {
    const score = TERMINAL_STATUSES.includes(t.status as RunStatus) ? trialScore(spec, t.epochs) : null;
    return score === null ? [] : [{ params: trialParamsSchema.parse(t.trialParams), score }];
  });
  let next = sweep.runs.reduce((n, t) => Math.max(n, (t.trialIndex ?? -1) + 1), 0);
  let started = 0;
  for (let running = active; running < spec.budget.parallelism && next < planned; running++, next++) {
    const params = proposeTrial(spec, next, observations);
    const hyperparameters = trialHyperparameters(spec, params);
    try {
      await startRun(deps, { datasetId: spec.datasetId, hyperparameters, tags: ['sweep', spec.name] }, 'sweep', {
        sweepId: id,
        trialIndex: next,
        trialParams: params,
      });
      started++;
    } catch (err) {
      // Another controller (a stalled job's second life) started this trial first.
      if (isUniqueViolation(err)) continue;
      throw err;
    }
  }
  if (active + started === 0 && next >= planned) {
    const best = bestTrial(spec, sweep.runs);
    await finishSweep(
      deps.db,
      id,
      'completed',
      best ? `best: trial ${best.trialIndex} (${formatMetric(spec, best.score)})` : 'no trial produced the metric',
    );
    return { done: true, started };
  }
  return { done: false, started };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && (err as { code: unknown }).code === 'P2002';
}

export function bestTrial<
  T extends { trialIndex: number | null; epochs: { valAccuracy: number | null; valLoss: number | null }[] },
>(spec: SweepSpec, trials: T[]): (T & { score: number }) | null {
  let best: (T & { score: number }) | null = null;
  for (const t of trials) {
    const score = trialScore(spec, t.epochs);
    if (score !== null && (!best || score > best.score)) best = { ...t, score };
  }
  return best;
}

/**
 * After a trial's epoch is recorded: should it go on? Only at an ASHA rung of a sweep with early
 * termination; the verdict compares it with every trial of its sweep recorded at that epoch
 * before it. Returns the reason to stop, or null to go on.
 */
export async function trialVerdict(db: Db, runId: string, epoch: number): Promise<string | null> {
  const trial = await trialAtEpoch(db, runId, epoch);
  const own = trial?.epochs[0];
  if (!trial?.sweepId || !trial.sweep || !own) return null;
  const spec = sweepSpecSchema.parse(trial.sweep.spec);
  const rungs = ashaRungs(spec);
  const rung = rungs.indexOf(epoch + 1);
  if (rung < 0 || !spec.earlyTermination) return null;
  const score = trialScore(spec, [own]);
  if (score === null) return null;
  const others = await sweepMetricsAtEpoch(db, trial.sweepId, epoch, own.createdAt);
  const scores = others.map((o) => trialScore(spec, [o])).filter((s): s is number => s !== null);
  const verdict = ashaVerdict(score, scores, spec.earlyTermination.eta);
  if (verdict.keep) return null;
  const worse = SWEEP_METRICS[spec.metric] === 'max' ? '<' : '>';
  return (
    `stopped at rung ${rung + 1} (epoch ${epoch + 1}) by ASHA: ${formatMetric(spec, score)} ${worse} ${formatMetric(spec, verdict.cutoff)} cut-off ` +
    `(top ${verdict.promoted} of ${verdict.atRung} go on)`
  );
}
