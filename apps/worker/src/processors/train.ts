import { errorMessage, isImportedArchitecture } from '@moodlab/shared';
import { UnrecoverableError, type Job } from 'bullmq';
import {
  getModelVersionByNumber,
  getRunCheckpoint,
  runSweepId,
  getRunStatus,
  markRunCancelled,
  markRunCompleted,
  markRunFailed,
  markRunQueued,
  markRunRunning,
  recordEpochWithCheckpoint,
  recordTrainedModel,
  saveRunProgress,
  setRunBackend,
  truncateEpochs,
  versionAfterLastCheckpoint,
  withDbRetry,
  describeError,
} from '@moodlab/db';
import { describeValidationError, trainPayloadSchema, type TrainResult } from '@moodlab/jobs';
import type { Prisma } from '@moodlab/db';
import { SourcesChangedError } from '@moodlab/shared/node';
import { runInChild } from '../sandbox/run-child';
import { handJobBack } from './hand-back';
import type { ProcessorContext } from './context';
import { loadDatasetPack, trialVerdict } from '@moodlab/runs';

const CANCEL_POLL_MS = 1000;
/** The run id alone, whatever else the payload holds. */
const runIdOnly = trainPayloadSchema.pick({ runId: true }).loose();

export function createTrainProcessor(ctx: ProcessorContext) {
  return async function processTrain(job: Job, token?: string): Promise<TrainResult> {
    const parsed = trainPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      const message = `Invalid train job payload: ${describeValidationError(parsed.error)}`;
      // The rest of the payload is wrong, but a run id that survives lets the run say why it failed.
      const named = runIdOnly.safeParse(job.data);
      if (named.success) await markRunFailed(ctx.db, named.data.runId, message).catch(() => {});
      throw new UnrecoverableError(message);
    }
    const { runId, datasetId, hyperparameters } = parsed.data;
    const { db, env } = ctx;
    const log = (line: string) => console.log(`[worker ${env.WORKER_ID}] run ${runId}: ${line}`);

    // Postgres is the record: a write waits out an outage (and says so) instead of failing the run.
    const persist = <T>(what: string, write: () => Promise<T>) =>
      withDbRetry(write, {
        onRetry: (err, attempt) =>
          log(
            `database unreachable while saving ${what} (try ${attempt}): ${describeError(err)}; training goes on, retrying`,
          ),
      });
    // The job's log and progress live in Redis, which may have lost the job: they are best effort.
    const note = (line: string) =>
      job.log(line).then(
        () => undefined,
        (err: unknown) => log(`${line} (not in the job log: ${describeError(err)})`),
      );

    let pack;
    try {
      pack = await persist('the dataset read', () => loadDatasetPack(db, datasetId));
    } catch (err) {
      await markRunFailed(db, runId, errorMessage(err));
      throw new UnrecoverableError(errorMessage(err));
    }
    if (!(await persist("the run's start", () => markRunRunning(db, runId, env.WORKER_ID)))) {
      return { modelVersionId: null, epochs: 0, cancelled: true };
    }
    ctx.activeRuns.add(runId);
    const checkpoint = await persist('the checkpoint read', () => getRunCheckpoint(db, runId));
    const nextEpoch = checkpoint?.meta.nextEpoch ?? 0;
    // A worker killed between recording the model version and marking the run completed left a
    // finished run running: it is completed now, not trained again into a second version.
    const recorded = checkpoint
      ? await persist('the model version', () => versionAfterLastCheckpoint(db, runId))
      : null;
    if (recorded && (nextEpoch >= hyperparameters.epochs || recorded.summary.stoppedEarly)) {
      await note(`the model version was recorded before the worker stopped; the run is complete`);
      await persist('the completion', () => markRunCompleted(db, runId));
      ctx.activeRuns.delete(runId);
      return { modelVersionId: recorded.id, epochs: nextEpoch, cancelled: false };
    }
    if (checkpoint) {
      await persist('the epoch table', () => truncateEpochs(db, runId, nextEpoch));
      await note(`resuming from the checkpoint after epoch ${nextEpoch}`);
    }

    // An imported model's topology comes from its version even when a checkpoint holds the weights.
    const needsInitial =
      hyperparameters.initFrom !== null && (!checkpoint || isImportedArchitecture(hyperparameters.architecture));
    /** A model version's artifact the run needs; one deleted since the run was queued fails the run. */
    const artifactOf = async (version: number, role: 'initFrom' | 'distillFrom') => {
      const mv = await persist(`model version ${version} (${role})`, () => getModelVersionByNumber(db, version));
      if (!mv) {
        const message = `model version ${version} (${role}) no longer exists`;
        await markRunFailed(db, runId, message);
        ctx.activeRuns.delete(runId);
        throw new UnrecoverableError(message);
      }
      return { meta: mv.artifact.meta, data: new Uint8Array(mv.artifact.data) };
    };
    const initial = needsInitial ? await artifactOf(hyperparameters.initFrom!, 'initFrom') : null;
    const teachers = [];
    for (const version of hyperparameters.distillFrom) teachers.push(await artifactOf(version, 'distillFrom'));
    const sweepId = await persist('the run', () => runSweepId(db, runId));
    const inSweep = sweepId !== null;
    // A worker that died between saving an epoch's checkpoint and acting on its verdict left a trial
    // that must not train past its rung: the verdict is taken again (it depends only on what is
    // recorded, so it is the same one).
    let stoppedBy: string | null =
      inSweep && nextEpoch > 0
        ? await persist('the early-termination verdict', () => trialVerdict(db, runId, nextEpoch - 1))
        : null;
    if (stoppedBy) await note(`${stoppedBy} (taken on resuming)`);
    const child = runInChild(
      {
        type: 'train',
        hyperparameters,
        dataset: { meta: pack.meta, data: pack.data },
        checkpoint: checkpoint ? new Uint8Array(checkpoint.data) : null,
        stoppedAtCheckpoint: stoppedBy !== null,
        initialModel: initial,
        teachers,
        backend: env.TF_BACKEND,
        threads: env.TF_THREADS,
        replicas: env.TRAIN_REPLICAS,
      },
      async (msg) => {
        if (msg.type === 'backend') {
          await persist('the backend', () => setRunBackend(db, runId, msg.name));
          await note(`backend: ${msg.name}`);
        } else if (msg.type === 'progress') {
          await job.updateProgress(msg.progress).catch(() => {});
          // Progress is overwritten every batch: one that cannot be saved now is skipped, not retried.
          await saveRunProgress(db, runId, msg.progress).catch((err: unknown) =>
            log(`progress not saved: ${describeError(err)}`),
          );
        } else if (msg.type === 'epoch') {
          // An ordinary run trains on while its epoch is written (an outage only delays the write).
          if (!inSweep) child.answer({ type: 'continue' });
          await persist(`epoch ${msg.metric.epoch + 1} and its checkpoint`, () =>
            recordEpochWithCheckpoint(db, runId, msg.metric, msg.checkpoint, sweepId),
          );
          await note(
            `epoch ${msg.metric.epoch + 1}: loss ${msg.metric.loss.toFixed(4)} acc ${msg.metric.accuracy.toFixed(4)} val_acc ${msg.metric.valAccuracy?.toFixed(4) ?? '-'}`,
          );
          if (inSweep) {
            // A sweep's trial waits for its verdict, which needs this epoch recorded beside its rivals'.
            const reason = await persist('the early-termination verdict', () =>
              trialVerdict(db, runId, msg.metric.epoch),
            );
            if (reason) {
              stoppedBy = reason;
              await note(reason);
            }
            child.answer({ type: reason ? 'stop' : 'continue' });
          }
        }
      },
    );

    // Cancellation is a status set in Postgres by the dashboard; shutdown is our own SIGTERM.
    let stopReason: 'cancelled' | 'shutdown' | null = null;
    const poll = setInterval(() => {
      // An unreachable database only delays noticing a cancel; training goes on.
      getRunStatus(db, runId).then(
        (s) => {
          if (s === 'cancelled' && !stopReason) {
            stopReason = 'cancelled';
            child.kill();
          }
        },
        () => {},
      );
    }, CANCEL_POLL_MS);
    const onShutdown = () => {
      stopReason ??= 'shutdown';
      child.kill();
    };
    ctx.shuttingDown.addEventListener('abort', onShutdown, { once: true });

    try {
      const final = await child.done;
      if (final.type !== 'trained') throw new Error(`unexpected result ${final.type}`);
      const best = final.best;
      if (final.averaged) {
        const { epochs, valAccuracy, used } = final.averaged;
        await note(
          `weights averaged over the last ${epochs} epochs: val_acc ${valAccuracy?.toFixed(4) ?? '-'}; ${used ? 'the average is the model' : "kept the last epoch's weights"}`,
        );
      }
      if (final.recalibrated) {
        const { images, valAccuracyBefore, valAccuracy, used } = final.recalibrated;
        await note(
          `BatchNorm statistics recomputed over ${images} training images: val_acc ${valAccuracyBefore?.toFixed(4) ?? '-'} -> ${valAccuracy?.toFixed(4) ?? '-'}; ${used ? 'kept' : 'discarded'}`,
        );
      }
      const mv = await persist('the trained model', () =>
        recordTrainedModel(db, {
          runId,
          datasetId,
          architecture: hyperparameters.architecture,
          summary: {
            epochs: final.history.length,
            stoppedEarly: final.stoppedEarly,
            bestEpoch: best?.epoch ?? null,
            bestValAccuracy: best?.valAccuracy ?? null,
            finalValAccuracy: final.history.at(-1)?.valAccuracy ?? null,
            ...(final.averaged ? { averaged: final.averaged } : {}),
            ...(final.recalibrated ? { recalibrated: final.recalibrated } : {}),
          },
          artifact: { meta: final.model.meta as Prisma.InputJsonValue, data: final.model.data },
          evaluation: final.evaluation ? { split: 'validation', ...final.evaluation } : null,
        }),
      );
      if (!(await persist('the completion', () => markRunCompleted(db, runId, stoppedBy)))) {
        log(
          `trained with model version ${mv.id}, but the run was no longer running or queued (cancelled meanwhile?); its status stays`,
        );
      }
      return { modelVersionId: mv.id, epochs: final.history.length, cancelled: false };
    } catch (err) {
      if (stopReason === 'cancelled') {
        await persist('the cancellation', () => markRunCancelled(db, runId));
        return { modelVersionId: null, epochs: 0, cancelled: true };
      }
      const codeChanged = err instanceof SourcesChangedError;
      if ((stopReason === 'shutdown' || codeChanged) && token) {
        // Hand the job back; whichever worker takes it resumes from the last checkpoint.
        const why = codeChanged ? "the worker's code changed on disk" : 'worker shut down';
        await persist('the hand-back', () => markRunQueued(db, runId, `${why}; will resume from its last checkpoint`));
        return handJobBack(job, token, codeChanged ? () => ctx.restart(errorMessage(err)) : undefined);
      }
      await persist('the failure', () => markRunFailed(db, runId, errorMessage(err)));
      throw err;
    } finally {
      clearInterval(poll);
      ctx.shuttingDown.removeEventListener('abort', onShutdown);
      ctx.activeRuns.delete(runId);
    }
  };
}
