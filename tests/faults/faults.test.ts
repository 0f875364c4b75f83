import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, getRun as getRunOnce, migrate, withDbRetry, type Db } from '@moodlab/db';
import { createRedis, createTrainQueue } from '@moodlab/jobs';
import { startRun } from '@moodlab/runs';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { MIGRATIONS_DIR } from '../test-env';
import { PrivatePostgres, PrivateRedis, privateServicesMissing } from './private-services';

/**
 * Faults as they happen to users, on servers of this test's own: workers killed mid-epoch, Redis
 * restarted without its data, Postgres restarted mid-epoch. Every run must end completed with
 * each of its epochs once and a model version, and no worker may die of it.
 */
const missing = privateServicesMissing();
if (missing) console.warn(`skipping the fault tests: ${missing}`);

const EPOCHS = 4;
const pg = new PrivatePostgres(55440);
const redis = new PrivateRedis(56390);
let db: Db;
let datasetId = '';
const workers = new Map<string, ChildProcess>();
/** Exits we did not cause: each is a defect. */
const unexpectedExits: string[] = [];
const killed = new Set<ChildProcess>();

function startWorker(id: string): void {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      WORKER_ID: id,
      TRAIN_REPLICAS: '1',
      LOCK_DURATION_MS: '3000',
      STALLED_INTERVAL_MS: '1000',
      HEARTBEAT_MS: '1000',
      RECONCILE_MS: '2000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  proc.stdout!.on('data', (d: Buffer) => process.stdout.write(`[${id}] ${d}`));
  proc.stderr!.on('data', (d: Buffer) => process.stdout.write(`[${id} stderr] ${d}`));
  proc.on('exit', (code, signal) => {
    if (!killed.has(proc)) unexpectedExits.push(`${id} exited (${signal ?? `code ${code}`})`);
  });
  workers.set(id, proc);
}

/** SIGKILL of the worker's whole process group (it and its training processes), as a crash or an OOM kill does. */
function killWorker(id: string): void {
  const proc = workers.get(id)!;
  killed.add(proc);
  try {
    process.kill(-proc.pid!, 'SIGKILL');
  } catch {
    /* gone already */
  }
}

/** The test reads through outages too: its own connections are cut when Postgres restarts. */
const getRun = (d: Db, id: string) => withDbRetry(() => getRunOnce(d, id));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startRuns(n: number): Promise<string[]> {
  const connection = createRedis(redis.url, 'client');
  const trainQueue = createTrainQueue(connection);
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      (
        await startRun(
          { db, trainQueue },
          { datasetId, hyperparameters: { epochs: EPOCHS, batchSize: 32, recalibrateBatchNorm: 0 } },
        )
      ).id,
    );
  await trainQueue.close();
  connection.disconnect();
  return ids;
}

/** Waits until every run is finished, then checks each as the issue asks; returns the outcome table row. */
async function settle(scenario: string, ids: string[], timeoutMs = 240_000) {
  const end = Date.now() + timeoutMs;
  let runs = await Promise.all(ids.map((id) => getRun(db, id)));
  while (runs.some((r) => r?.status === 'queued' || r?.status === 'running') && Date.now() < end) {
    await sleep(500);
    runs = await Promise.all(ids.map((id) => getRun(db, id)).map((p) => p.catch(() => null)));
  }
  const row = {
    scenario,
    started: ids.length,
    completed: runs.filter((r) => r?.status === 'completed').length,
    failed:
      runs
        .filter((r) => r?.status === 'failed')
        .map((r) => r!.error)
        .join('; ') || 0,
    stuck: runs.filter((r) => r?.status === 'queued' || r?.status === 'running').length,
  };
  console.log(JSON.stringify(row));
  for (const run of runs) {
    expect(run?.status, `${run?.id}: ${run?.error}`).toBe('completed');
    expect(run!.epochs.map((e) => e.epoch)).toEqual([...Array(EPOCHS).keys()]);
    expect(run!.modelVersions).toHaveLength(1);
  }
  return row;
}

async function waitForEpoch(ids: string[], epoch: number) {
  for (let i = 0; i < 400; i++) {
    const runs = await Promise.all(ids.map((id) => getRun(db, id).catch(() => null)));
    if (runs.some((r) => r?.status === 'running' && r.epochs.length >= epoch)) return;
    await sleep(250);
  }
  throw new Error(`no run reached epoch ${epoch}`);
}

describe.skipIf(missing)('faults', () => {
  beforeAll(async () => {
    pg.start();
    await redis.start();
    await migrate({ connectionString: pg.url, migrationsDir: MIGRATIONS_DIR });
    db = createDb(pg.url);
    datasetId = (await registerSyntheticDataset(db, { name: 'faults', trainPerClass: 40, validationPerClass: 10 })).id;
    startWorker('fault-w1');
    startWorker('fault-w2');
  });

  afterAll(async () => {
    for (const id of workers.keys()) killWorker(id);
    await db?.$disconnect();
    await redis.stop();
    pg.stop();
  });

  it('loses no run when workers are killed mid-epoch, again and again', async () => {
    const ids = await startRuns(3);
    let restarts = 0;
    for (let kill = 0; kill < 4; kill++) {
      await waitForEpoch(ids, 1);
      const holders = (await Promise.all(ids.map((id) => getRun(db, id))))
        .filter((r) => r?.status === 'running')
        .map((r) => r!.workerId!);
      const victim = holders.find((h) => workers.has(h));
      if (!victim) break;
      killWorker(victim);
      await sleep(2000);
      startWorker(`${victim.split('~')[0]}~${++restarts}`);
    }
    await settle('worker SIGKILLed 4 times', ids);
  });

  it('loses no run when Redis restarts without its data', async () => {
    const ids = await startRuns(3);
    await waitForEpoch(ids, 1);
    await redis.restartEmpty();
    await settle('Redis restarted empty', ids);
  });

  it('loses no run and no worker when Postgres restarts mid-epoch', async () => {
    const ids = await startRuns(2);
    await waitForEpoch(ids, 1);
    pg.restart();
    await settle('Postgres restarted', ids);
    expect(unexpectedExits).toEqual([]);
  });
});
