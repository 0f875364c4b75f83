import type { ChildProcess } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelFromArtifact } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import { createDb, createRun, getArtifact, getRun, listEpochs, workerLastSeen } from '@moodlab/db';
import { createRedis, createTrainQueue, enqueueTrain, TRAIN_QUEUE } from '@moodlab/jobs';
import { cancelRun, ConflictError, resumeRun, startRun } from '@moodlab/runs';
import { hyperparametersSchema } from '@moodlab/shared';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test-env';
import { startWorker as startWorkerProcess, waitFor } from '../worker-processes';

/** Real worker processes against the test Postgres and Redis, as users run them. */
const db = createDb(TEST_DATABASE_URL);
const redis = createRedis(TEST_REDIS_URL, 'client');
const queue = createTrainQueue(redis);
let datasetId = '';
const workers: ChildProcess[] = [];

const startWorker = (id: string) => startWorkerProcess(id, workers);

/** A run started as the dashboard and the CLI start one. */
async function startTestRun(epochs: number) {
  const run = await startRun({ db, trainQueue: queue }, { datasetId, hyperparameters: { epochs, batchSize: 32 } });
  return run.id;
}

beforeAll(async () => {
  datasetId = (await registerSyntheticDataset(db, { name: 'it-synthetic', trainPerClass: 30, validationPerClass: 10 }))
    .id;
  await selectBackend({ prefer: 'wasm' });
});

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await queue.close();
  redis.disconnect();
  await db.$disconnect();
});

describe('worker', () => {
  it('trains a run to completion: one EpochMetric per epoch and a model version whose artifact loads back, and teaches a run distilling from it', async () => {
    startWorker('it-a');
    const runId = await startTestRun(2);
    const run = await waitFor('run to complete', async () => {
      const r = await getRun(db, runId);
      if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
      return r?.status === 'completed' ? r : null;
    });
    expect(run.backend).toMatch(/^wasm \(convolutions on (oneDNN|OpenBLAS|XNNPACK)/);
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(run.modelVersions).toHaveLength(1);
    expect(run.modelVersions[0]!.evaluations[0]!.split).toBe('validation');
    const artifact = await getArtifact(db, run.modelVersions[0]!.artifactId);
    const { model, metadata } = await loadModelFromArtifact(artifact!.meta, new Uint8Array(artifact!.data));
    expect(metadata.classNames).toHaveLength(7);
    expect(model.outputs[0]!.shape).toEqual([null, 7]);

    // As a worker killed between recording the model version and completing the run leaves it:
    // running, its job back in the queue. The next worker completes it without a second version.
    await (await queue.getJob(runId))?.remove();
    await db.run.update({ where: { id: runId }, data: { status: 'running', finishedAt: null } });
    await enqueueTrain(queue, { runId, datasetId, hyperparameters: run.hyperparameters });
    const again = await waitFor('the run to complete again', async () => {
      const r = await getRun(db, runId);
      return r?.status === 'completed' ? r : null;
    });
    expect(again.modelVersions.map((v) => v.id)).toEqual(run.modelVersions.map((v) => v.id));
    expect(again.epochs).toHaveLength(2);

    // That version teaches the next run: the worker hands its artifact to the training process.
    const teacher = run.modelVersions[0]!.version;
    const taught = await startRun(
      { db, trainQueue: queue },
      { datasetId, hyperparameters: { epochs: 1, batchSize: 32, distillFrom: [teacher] } },
    );
    const student = await waitFor('distilled run to complete', async () => {
      const r = await getRun(db, taught.id);
      if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
      return r?.status === 'completed' ? r : null;
    });
    expect(student.modelVersions).toHaveLength(1);
    expect(hyperparametersSchema.parse(student.hyperparameters).distillFrom).toEqual([teacher]);
  });

  it('resumes a run from its checkpoint on another worker after its worker is killed', async () => {
    const first = workers[0]!;
    const runId = await startTestRun(5);
    await waitFor('the first epoch', async () => (await listEpochs(db, runId)).length >= 1);
    first.kill('SIGKILL');
    const atKill = await getRun(db, runId);
    expect(atKill!.status).not.toBe('completed');
    startWorker('it-b');
    const run = await waitFor(
      'run to complete on the second worker',
      async () => {
        const r = await getRun(db, runId);
        if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
        return r?.status === 'completed' ? r : null;
      },
      150_000,
    );
    expect(run.workerId).toBe('it-b');
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4]);
  });

  it('cancels a running run and resumes it later from its checkpoint', async () => {
    const runId = await startTestRun(4);
    await waitFor('the first epoch', async () => (await listEpochs(db, runId)).length >= 1);
    expect((await cancelRun({ db, trainQueue: queue }, runId)).cancelled).toBe(true);
    // The worker kills its training process and completes the job as cancelled.
    await waitFor('the worker to stop', async () => (await queue.getJob(runId))?.isCompleted());
    const kept = (await listEpochs(db, runId)).length;
    expect(kept).toBeGreaterThanOrEqual(1);
    await expect(resumeRun({ db, trainQueue: queue }, runId, { epochs: kept })).rejects.toThrow(/already trained/);
    // Resumed one epoch longer than it was started.
    await expect(resumeRun({ db, trainQueue: queue }, runId, { epochs: 5 })).resolves.toMatchObject({
      status: 'queued',
    });
    const run = await waitFor('the resumed run to complete', async () => {
      const r = await getRun(db, runId);
      if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
      return r?.status === 'completed' ? r : null;
    });
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4]);
    expect(run.hyperparameters.epochs).toBe(5);
    await expect(resumeRun({ db, trainQueue: queue }, runId)).rejects.toBeInstanceOf(ConflictError);
  });

  it('fails a malformed job payload and an unknown dataset with clear errors', async () => {
    const raw = new Queue(TRAIN_QUEUE, { connection: redis });
    const bad = await raw.add('train', { runId: 'not-a-uuid', hyperparameters: { epochs: 'many' } });
    const failed = await waitFor('the malformed job to fail', async () =>
      (await bad.getState()) === 'failed' ? raw.getJob(bad.id!) : null,
    );
    expect(failed!.failedReason).toMatch(/Invalid train job payload: .*runId/);

    const hp = hyperparametersSchema.parse({ epochs: 1 });
    // A payload that names a real run but is otherwise malformed fails that run, saying why.
    const named = await createRun(db, { datasetId, architecture: hp.architecture, hyperparameters: hp, seed: 1 });
    await raw.add('train', { runId: named.id, datasetId, hyperparameters: { epochs: 'many' } });
    const namedFailed = await waitFor('the named run to fail', async () => {
      const r = await getRun(db, named.id);
      return r?.status === 'failed' ? r : null;
    });
    expect(namedFailed.error).toMatch(/Invalid train job payload: .*epochs/);

    const run = await createRun(db, { datasetId, architecture: hp.architecture, hyperparameters: hp, seed: 1 });
    await enqueueTrain(queue, {
      runId: run.id,
      datasetId: '00000000-0000-4000-8000-000000000000',
      hyperparameters: hp,
    });
    const failedRun = await waitFor('the run to fail', async () => {
      const r = await getRun(db, run.id);
      return r?.status === 'failed' ? r : null;
    });
    expect(failedRun.error).toMatch(/Unknown dataset id 00000000-0000-4000-8000-000000000000/);
    await raw.close();
  });

  it('hands its run back and exits for a restart when its code changes on disk; the restarted worker resumes the run', async () => {
    for (const w of workers) w.kill('SIGKILL');
    const pinned = startWorker('it-pinned');
    await waitFor('the worker to start', () => workerLastSeen(db, 'it-pinned'));
    const runId = await startTestRun(3);
    await waitFor('the first epoch', async () => (await listEpochs(db, runId)).length >= 1);
    expect((await cancelRun({ db, trainQueue: queue }, runId)).cancelled).toBe(true);
    await waitFor('the worker to stop', async () => (await queue.getJob(runId))?.isCompleted());
    const kept = (await listEpochs(db, runId)).length;

    // A deploy under the running worker (a `git pull`) leaves one of its sources with a new time.
    const source = 'apps/worker/src/env.ts';
    const { atime, mtime } = statSync(source);
    const exited = new Promise<number | null>((resolve) => pinned.once('exit', (code) => resolve(code)));
    try {
      utimesSync(source, atime, new Date(mtime.getTime() + 60_000));
      await resumeRun({ db, trainQueue: queue }, runId);
      expect(await exited).toBe(75);
      const handedBack = await getRun(db, runId);
      expect(handedBack!.status).toBe('queued');
      expect(handedBack!.error).toMatch(/code changed on disk; will resume from its last checkpoint/);
      expect(handedBack!.epochs).toHaveLength(kept);

      startWorker('it-restarted');
      const run = await waitFor('the run to complete on the restarted worker', async () => {
        const r = await getRun(db, runId);
        if (r?.status === 'failed') throw new Error(`run failed: ${r.error}`);
        return r?.status === 'completed' ? r : null;
      });
      expect(run.workerId).toBe('it-restarted');
      expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    } finally {
      // The restarted worker pinned the new time; it stops before the old one comes back.
      for (const w of workers) w.kill('SIGKILL');
      utimesSync(source, atime, mtime);
    }
  });
});
