import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import {
  getModelVersionByNumber, getRunCheckpoint, getRunStatus, markRunCancelled, markRunCompleted, markRunFailed, markRunQueued,
  markRunRunning, recordEpoch, recordTrainedModel, replaceCheckpoint, saveRunProgress, setRunBackend, truncateEpochs,
} from '@moodlab/db';
import { describeValidationError, trainPayloadSchema, type TrainResult } from '@moodlab/jobs';
import type { Prisma } from '@moodlab/db';
import { runInChild } from '../sandbox/run-child';
import type { ProcessorContext } from './context';
import { loadDatasetPack } from '@moodlab/runs';

const CANCEL_POLL_MS = 1000;

export function createTrainProcessor(ctx: ProcessorContext) {
  return async function processTrain(job: Job, token?: string): Promise<TrainResult> {
    const parsed = trainPayloadSchema.safeParse(job.data);
    if (!parsed.success) {
      const message = `Invalid train job payload: ${describeValidationError(parsed.error)}`;
      const runId = (job.data as { runId?: unknown } | null)?.runId;
      if (typeof runId === 'string') await markRunFailed(ctx.db, runId, message).catch(() => {});
      throw new UnrecoverableError(message);
    }
    const { runId, datasetId, hyperparameters } = parsed.data;
    const { db, env } = ctx;

    let pack;
    try {
      pack = await loadDatasetPack(db, datasetId);
    } catch (err) {
      await markRunFailed(db, runId, (err as Error).message);
      throw new UnrecoverableError((err as Error).message);
    }
    if (!(await markRunRunning(db, runId, env.WORKER_ID))) {
      return { modelVersionId: null, epochs: 0, cancelled: true };
    }
    ctx.activeRuns.add(runId);
    const checkpoint = await getRunCheckpoint(db, runId);
    if (checkpoint) {
      const nextEpoch = Number((checkpoint.meta as { nextEpoch?: number }).nextEpoch ?? 0);
      await truncateEpochs(db, runId, nextEpoch);
      await job.log(`resuming from the checkpoint after epoch ${nextEpoch}`);
    }

    const initial = !checkpoint && hyperparameters.initFrom !== null ? await getModelVersionByNumber(db, hyperparameters.initFrom) : null;
    if (!checkpoint && hyperparameters.initFrom !== null && !initial) {
      const message = `model version ${hyperparameters.initFrom} (initFrom) no longer exists`;
      await markRunFailed(db, runId, message);
      ctx.activeRuns.delete(runId);
      throw new UnrecoverableError(message);
    }
    const child = runInChild(
      {
        type: 'train', hyperparameters, dataset: { meta: pack.meta, data: pack.data },
        checkpoint: checkpoint ? new Uint8Array(checkpoint.data) : null,
        initialModel: initial ? { meta: initial.artifact.meta, data: new Uint8Array(initial.artifact.data) } : null, backend: env.TF_BACKEND, threads: env.TF_THREADS, replicas: env.TRAIN_REPLICAS,
      },
      async (msg) => {
        if (msg.type === 'backend') {
          await setRunBackend(db, runId, msg.name);
          await job.log(`backend: ${msg.name}`);
        } else if (msg.type === 'progress') {
          await job.updateProgress(msg.progress);
          await saveRunProgress(db, runId, msg.progress);
        } else if (msg.type === 'epoch') {
          await recordEpoch(db, runId, msg.metric);
          await replaceCheckpoint(db, runId, { ...msg.checkpoint, meta: msg.checkpoint.meta as Prisma.InputJsonValue });
          await job.log(`epoch ${msg.metric.epoch + 1}: loss ${msg.metric.loss.toFixed(4)} acc ${msg.metric.accuracy.toFixed(4)} val_acc ${msg.metric.valAccuracy?.toFixed(4) ?? '-'}`);
        }
      },
    );

    // Cancellation is a status set in Postgres by the dashboard; shutdown is our own SIGTERM.
    let stopReason: 'cancelled' | 'shutdown' | null = null;
    const poll = setInterval(() => {
      void getRunStatus(db, runId).then((s) => {
        if (s === 'cancelled' && !stopReason) { stopReason = 'cancelled'; child.kill(); }
      });
    }, CANCEL_POLL_MS);
    const onShutdown = () => { stopReason ??= 'shutdown'; child.kill(); };
    ctx.shuttingDown.addEventListener('abort', onShutdown, { once: true });

    try {
      const final = await child.done;
      if (final.type !== 'trained') throw new Error(`unexpected result ${final.type}`);
      const best = final.best;
      if (final.averaged) {
        const { epochs, valAccuracy, used } = final.averaged;
        await job.log(`weights averaged over the last ${epochs} epochs: val_acc ${valAccuracy?.toFixed(4) ?? '-'}; ${used ? 'the average is the model' : 'kept the last epoch\'s weights'}`);
      }
      if (final.recalibrated) {
        const { images, valAccuracyBefore, valAccuracy, used } = final.recalibrated;
        await job.log(`BatchNorm statistics recomputed over ${images} training images: val_acc ${valAccuracyBefore?.toFixed(4) ?? '-'} -> ${valAccuracy?.toFixed(4) ?? '-'}; ${used ? 'kept' : 'discarded'}`);
      }
      const mv = await recordTrainedModel(db, {
        runId, datasetId, architecture: hyperparameters.architecture,
        summary: {
          epochs: final.history.length, stoppedEarly: final.stoppedEarly,
          bestEpoch: best?.epoch ?? null, bestValAccuracy: best?.valAccuracy ?? null,
          finalValAccuracy: final.history.at(-1)?.valAccuracy ?? null,
          ...(final.averaged ? { averaged: final.averaged } : {}),
          ...(final.recalibrated ? { recalibrated: final.recalibrated } : {}),
        },
        artifact: { meta: final.model.meta as Prisma.InputJsonValue, data: final.model.data },
        evaluation: final.evaluation ? { split: 'validation', ...final.evaluation } : null,
      });
      await markRunCompleted(db, runId);
      return { modelVersionId: mv.id, epochs: final.history.length, cancelled: false };
    } catch (err) {
      if (stopReason === 'cancelled') {
        await markRunCancelled(db, runId);
        return { modelVersionId: null, epochs: 0, cancelled: true };
      }
      if (stopReason === 'shutdown' && token) {
        // Hand the job back; whichever worker takes it resumes from the last checkpoint.
        await markRunQueued(db, runId, 'worker shut down; will resume from its last checkpoint');
        await job.moveToDelayed(Date.now() + 500, token);
        throw new DelayedError();
      }
      await markRunFailed(db, runId, (err as Error).message);
      throw err;
    } finally {
      clearInterval(poll);
      ctx.shuttingDown.removeEventListener('abort', onShutdown);
      ctx.activeRuns.delete(runId);
    }
  };
}
