import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, getSweepWithTrials } from '@moodlab/db';
import { createRedis, createSweepQueue, createTrainQueue } from '@moodlab/jobs';
import { ashaVerdict, createSweep, InvalidRequestError } from '@moodlab/runs';
import { ashaRungs, sweepSpecSchema, type SweepSpecInput } from '@moodlab/shared';

import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test-env';
import { startWorker, waitFor } from '../worker-processes';

/** Sweeps on two real workers: trials are ordinary runs; the controller and the trials survive killed workers. */
const db = createDb(TEST_DATABASE_URL);
const redis = createRedis(TEST_REDIS_URL, 'client');
const trainQueue = createTrainQueue(redis);
const sweepQueue = createSweepQueue(redis);
const deps = { db, trainQueue, sweepQueue };
const workers: ChildProcess[] = [];
let datasetId = '';

beforeAll(async () => {
  datasetId = (
    await registerSyntheticDataset(db, { name: 'sweep-synthetic', trainPerClass: 20, validationPerClass: 6 })
  ).id;
  startWorker('sw-a', workers);
  startWorker('sw-b', workers);
});

afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all([trainQueue.close(), sweepQueue.close()]);
  redis.disconnect();
  await db.$disconnect();
});

const base = { batchSize: 32, recalibrateBatchNorm: 0, augmentation: { enabled: false } };

async function finished(sweepId: string, timeoutMs = 240_000) {
  return waitFor(
    `sweep ${sweepId} to finish`,
    async () => {
      const s = await getSweepWithTrials(db, sweepId);
      return s && s.status !== 'running' ? s : null;
    },
    timeoutMs,
  );
}

describe('sweeps', () => {
  it('runs a 9-point grid as 9 ordinary runs, two at a time', async () => {
    const sweep = await createSweep(deps, {
      name: 'grid',
      datasetId,
      base,
      method: 'grid',
      space: {
        learningRate: { kind: 'choice', values: [0.001, 0.003, 0.01] },
        weightDecay: { kind: 'choice', values: [0, 0.0001, 0.001] },
      },
      budget: { trials: 20, parallelism: 2, maxEpochs: 2 },
    });
    const done = await finished(sweep.id);
    expect(done.status).toBe('completed');
    expect(done.runs).toHaveLength(9);
    expect(done.runs.every((r) => r.status === 'completed' && r.epochs.length === 2)).toBe(true);
    const points = new Set(done.runs.map((r) => JSON.stringify(r.trialParams)));
    expect(points.size).toBe(9);
    // The parallelism held: no third trial started before one of the first two finished.
    const starts = done.runs.map((r) => r.createdAt.getTime()).sort((a, b) => a - b);
    const ends = done.runs.map((r) => r.finishedAt!.getTime()).sort((a, b) => a - b);
    expect(starts[2]!).toBeGreaterThanOrEqual(ends[0]! - 50);
    expect(done.note).toMatch(/^best: trial \d+ \(\d+\.\d%\)$/);
  });

  it('stops the trials ASHA predicts, and completes though both workers are killed mid-sweep', async () => {
    const spec: SweepSpecInput = {
      name: 'asha',
      datasetId,
      base,
      method: 'random',
      space: {
        learningRate: { kind: 'log-uniform', low: 0.0001, high: 0.03 },
        labelSmoothing: { kind: 'uniform', low: 0, high: 0.2 },
      },
      budget: { trials: 12, parallelism: 2, maxEpochs: 4 },
      earlyTermination: { kind: 'asha', minEpochs: 1, eta: 2 },
      seed: 5,
    };
    const sweep = await createSweep(deps, spec);
    // Kill both workers (the controller's and a trial's) once a trial has recorded an epoch.
    await waitFor('a recorded epoch', async () =>
      (await getSweepWithTrials(db, sweep.id))?.runs.some((r) => r.epochs.length),
    );
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    startWorker('sw-c', workers);
    startWorker('sw-d', workers);

    const done = await finished(sweep.id, 400_000);
    expect(done.status).toBe('completed');
    expect(done.runs).toHaveLength(12);
    expect(done.runs.every((r) => r.status === 'completed')).toBe(true);
    // Every trial has its epochs once each, 0..n-1 (a killed trial resumed from its checkpoint).
    for (const r of done.runs) expect(r.epochs.map((e) => e.epoch)).toEqual([...Array(r.epochs.length).keys()]);

    // Replay ASHA over the recorded epochs, in the order they were recorded.
    const parsed = sweepSpecSchema.parse(spec);
    const predicted = new Set<string>();
    const metrics = await db.epochMetric.findMany({
      where: { run: { sweepId: sweep.id } },
      orderBy: { createdAt: 'asc' },
      select: { runId: true, epoch: true, valAccuracy: true },
    });
    for (const rung of ashaRungs(parsed)) {
      const atRung = metrics.filter((m) => m.epoch === rung - 1);
      atRung.forEach((m, i) => {
        const seen = atRung.slice(0, i + 1).map((x) => x.valAccuracy!);
        if (!predicted.has(m.runId) && !ashaVerdict(m.valAccuracy!, seen, 2).keep) predicted.add(m.runId);
      });
    }
    const stopped = done.runs.filter((r) => r.error?.startsWith('stopped at rung'));
    expect(new Set(stopped.map((r) => r.id))).toEqual(predicted);
    expect(stopped.length).toBeGreaterThan(0);
    for (const r of stopped) {
      expect(r.error).toMatch(
        /^stopped at rung \d \(epoch (\d)\) by ASHA: \d+\.\d% < \d+\.\d% cut-off \(top \d+ of \d+ go on\)$/,
      );
      expect(r.epochs.length).toBe(Number(/epoch (\d)/.exec(r.error!)![1]));
    }
    const spent = done.runs.reduce((n, r) => n + r.epochs.length, 0);
    expect(spent).toBeLessThan(12 * 4);
  });

  it('refuses a spec that cannot run, naming the field', async () => {
    await expect(
      createSweep(deps, {
        name: 'bad',
        datasetId,
        space: { learningRate: { kind: 'uniform', low: 0.1, high: 0.01 } },
        budget: { trials: 2, maxEpochs: 2 },
      }),
    ).rejects.toThrow(new InvalidRequestError('space.learningRate: low (0.1) must be below high (0.01)'));
    await expect(
      createSweep(deps, {
        name: 'bad',
        datasetId,
        space: { learningRate: { kind: 'uniform', low: 0.001, high: 0.01 } },
        budget: { trials: 2, maxEpochs: 2 },
        earlyTermination: { kind: 'asha', minEpochs: 2, eta: 2 },
      }),
    ).rejects.toThrow(/earlyTermination.minEpochs: the first rung \(2\) must come before the trials end/);
  });
});
