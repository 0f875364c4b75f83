import { Worker } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  beat,
  createDb,
  createRun,
  getRun,
  markRunCompleted,
  markRunQueued,
  markRunRunning,
  removeWorker,
  setRunJobId,
} from '@moodlab/db';
import { createRedis, createTrainQueue, enqueueTrain } from '@moodlab/jobs';
import { JOB_VANISHED, reconcileRuns } from '@moodlab/runs';
import { hyperparametersSchema } from '@moodlab/shared';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test-env';

/** Postgres is the record and the queue follows it: runs whose jobs vanished, finished or went back. */
const db = createDb(TEST_DATABASE_URL);
const redis = createRedis(TEST_REDIS_URL, 'client');
const trainQueue = createTrainQueue(redis);
const hp = hyperparametersSchema.parse({ epochs: 1, batchSize: 32 });
let datasetId = '';

async function newRun(opts: { job: boolean }) {
  const run = await createRun(db, { datasetId, architecture: hp.architecture, hyperparameters: hp, seed: hp.seed });
  if (opts.job)
    await setRunJobId(
      db,
      run.id,
      (await enqueueTrain(trainQueue, { runId: run.id, datasetId, hyperparameters: hp })).id!,
    );
  else await setRunJobId(db, run.id, run.id);
  return run.id;
}

const reconcile = () => reconcileRuns({ db, trainQueue }, { staleAfterMs: 60_000, graceMs: 0 });

beforeAll(async () => {
  datasetId = (await registerSyntheticDataset(db, { name: 'it-reconcile', trainPerClass: 2, validationPerClass: 1 }))
    .id;
});

beforeEach(async () => {
  // No other worker's jobs or heartbeats: this file's runs are the only unfinished ones.
  await trainQueue.obliterate({ force: true });
  await db.run.updateMany({
    where: { status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error: 'left by an earlier test' },
  });
  await db.workerHeartbeat.deleteMany({});
});

afterAll(async () => {
  // Leave no unfinished run behind for the worker tests' reconciler to pick up.
  await db.run.updateMany({
    where: { status: { in: ['queued', 'running'] } },
    data: { status: 'failed', error: 'left by the reconcile tests' },
  });
  await trainQueue.obliterate({ force: true });
  await trainQueue.close();
  redis.disconnect();
  await db.$disconnect();
});

describe('run status guards', () => {
  it("withdraws a dead worker's claim only while that worker still holds the run", async () => {
    const runId = await newRun({ job: true });
    await markRunRunning(db, runId, 'w-dead');
    // Another worker took the run over before the stalled-job report arrived.
    await markRunRunning(db, runId, 'w-new');
    expect(await markRunQueued(db, runId, 'worker lost', 'w-dead')).toBe(false);
    expect((await getRun(db, runId))?.status).toBe('running');
    expect(await markRunQueued(db, runId, 'worker lost', 'w-new')).toBe(true);
    expect((await getRun(db, runId))?.status).toBe('queued');
  });

  it('completes a run that finished its training even if it was set back to queued meanwhile', async () => {
    const runId = await newRun({ job: true });
    await markRunRunning(db, runId, 'w1');
    await markRunQueued(db, runId, 'worker lost', 'w1');
    expect(await markRunCompleted(db, runId)).toBe(true);
    expect((await getRun(db, runId))?.status).toBe('completed');
  });
});

describe('reconcileRuns', () => {
  it('enqueues again a queued run whose job vanished (Redis lost its data)', async () => {
    const runId = await newRun({ job: false });
    const actions = await reconcile();
    expect(actions).toEqual([{ runId, action: 're-enqueued', reason: JOB_VANISHED }]);
    expect(await (await trainQueue.getJob(runId))?.getState()).toBe('waiting');
    expect((await getRun(db, runId))?.status).toBe('queued');
  });

  it('re-enqueues a running run whose job vanished when its worker is dead, to resume from its checkpoint', async () => {
    const runId = await newRun({ job: false });
    await markRunRunning(db, runId, 'w-gone');
    await reconcile();
    const run = await getRun(db, runId);
    expect(run?.status).toBe('queued');
    expect(run?.error).toBe(JOB_VANISHED);
    expect(await trainQueue.getJob(runId)).toBeTruthy();
  });

  it('leaves alone a running run whose job vanished while a live worker still trains it', async () => {
    const runId = await newRun({ job: false });
    await markRunRunning(db, runId, 'w-live');
    await beat(db, { id: 'w-live', hostname: 'test', backend: 'wasm', concurrency: 1, currentRunIds: [runId] });
    expect(await reconcile()).toEqual([]);
    expect((await getRun(db, runId))?.status).toBe('running');
    expect(await trainQueue.getJob(runId)).toBeUndefined();
    await removeWorker(db, 'w-live');
  });

  it('takes the outcome of a job that finished while its run was left queued', async () => {
    const runId = await newRun({ job: true });
    await markRunRunning(db, runId, 'w1');
    await markRunQueued(db, runId, 'worker lost', 'w1');
    // Finish the job as a worker would, with the result a trained run returns.
    const connection = createRedis(TEST_REDIS_URL, 'worker');
    const worker = new Worker(trainQueue.name, async () => ({ modelVersionId: null, epochs: 1, cancelled: false }), {
      connection,
    });
    await new Promise((resolve) => worker.once('completed', resolve));
    await worker.close();
    connection.disconnect();
    expect(await (await trainQueue.getJob(runId))?.getState()).toBe('completed');
    expect(await reconcile()).toEqual([{ runId, action: 'completed', reason: 'its job had finished' }]);
    expect((await getRun(db, runId))?.status).toBe('completed');
  });
});
