import { Worker } from 'bullmq';
import { describeBackend, selectBackend } from '@moodlab/cnn/backend';
import { beat, createDb, describeError, markRunFailed, removeWorker } from '@moodlab/db';
import {
  createRedis,
  createSweepQueue,
  createTrainQueue,
  EVALUATE_QUEUE,
  IMPORT_QUEUE,
  SWEEP_QUEUE,
  TRAIN_QUEUE,
} from '@moodlab/jobs';
import { reconcileRuns, requeueStalledRun } from '@moodlab/runs';
import { errorMessage } from '@moodlab/shared';
import { parseEnv } from './env';
import { createEvaluateProcessor } from './processors/evaluate';
import { createImportProcessor } from './processors/import';
import { createSweepProcessor } from './processors/sweep';
import { createTrainProcessor } from './processors/train';

const env = parseEnv();
const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const log = (line: string) => console.log(`[worker ${env.WORKER_ID}] ${line}`);

const db = createDb(env.DATABASE_URL);
const connection = createRedis(env.REDIS_URL, 'worker');
// Selected here only to report it; each job's child process selects again with the same rules.
const backend = await selectBackend({ prefer: env.TF_BACKEND, threads: env.TF_THREADS, measureGemm: true });
log(
  `backend ${describeBackend(backend)}${backend.skipped.length ? ` (skipped ${backend.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : ''}`,
);

/** The exit status that asks the worker's supervisor (tools/setup/up.sh, docker-compose) to start it again. */
const RESTART_EXIT_CODE = 75;
const shutdown = new AbortController();
// Declared before the workers: a job taken during the awaits below may already ask for a restart.
let closing = false;
const timers: NodeJS.Timeout[] = [];
const ctx = {
  db,
  env,
  activeRuns: new Set<string>(),
  shuttingDown: shutdown.signal,
  restart: (reason: string) => void close(`restarting (${reason})`, RESTART_EXIT_CODE),
};
const workerOptions = {
  connection,
  concurrency: env.WORKER_CONCURRENCY,
  lockDuration: env.LOCK_DURATION_MS,
  stalledInterval: env.STALLED_INTERVAL_MS,
  maxStalledCount: 3,
};
const trainWorker = new Worker(TRAIN_QUEUE, createTrainProcessor(ctx), { ...workerOptions, name: env.WORKER_ID });
const evaluateWorker = new Worker(EVALUATE_QUEUE, createEvaluateProcessor(ctx), {
  ...workerOptions,
  name: env.WORKER_ID,
});
const importWorker = new Worker(IMPORT_QUEUE, createImportProcessor(ctx), {
  ...workerOptions,
  concurrency: 1,
  name: env.WORKER_ID,
});
const trainQueue = createTrainQueue(connection);
const sweepQueue = createSweepQueue(connection);
// Controllers mostly wait; several sweeps share a worker.
const sweepWorker = new Worker(SWEEP_QUEUE, createSweepProcessor(ctx, { trainQueue, sweepQueue }), {
  ...workerOptions,
  concurrency: 4,
  name: env.WORKER_ID,
});
/** A worker silent for three heartbeats is dead. */
const staleAfterMs = env.HEARTBEAT_MS * 3;

trainWorker.on('stalled', (jobId) => {
  log(`job ${jobId} stalled (its worker died); it will resume from its last checkpoint`);
  void requeueStalledRun({ db }, jobId, staleAfterMs).catch((err: unknown) =>
    log(`could not requeue run ${jobId}: ${describeError(err)}`),
  );
});
trainWorker.on('failed', (job, err) => {
  log(`job ${job?.id ?? '?'} failed: ${err.message}`);
  // Failures outside the processor (e.g. stalled too often) never reached its own handler.
  // Job ids are run ids, except for jobs enqueued by hand (whose payload check failed above).
  if (job?.id && RUN_ID.test(job.id))
    void markRunFailed(db, job.id, err.message).catch((e: Error) =>
      log(`could not mark run ${job.id} failed: ${e.message}`),
    );
});
trainWorker.on('completed', (job) => log(`job ${job.id} completed`));
for (const w of [trainWorker, evaluateWorker, importWorker, sweepWorker])
  w.on('error', (err) => log(`error: ${err.message}`));

const heartbeat = async () => {
  await beat(db, {
    id: env.WORKER_ID,
    hostname: env.WORKER_ID.split('-')[0] ?? env.WORKER_ID,
    backend: backend.name,
    concurrency: env.WORKER_CONCURRENCY,
    currentRunIds: [...ctx.activeRuns],
  }).catch((err: unknown) => log(`heartbeat failed: ${describeError(err)}`));
};
await heartbeat();
const reconcile = () =>
  reconcileRuns({ db, trainQueue }, { staleAfterMs })
    .then((actions) => actions.forEach((a) => log(`run ${a.runId} ${a.action}: ${a.reason}`)))
    .catch((err: unknown) => log(`reconcile failed (retried in ${env.RECONCILE_MS / 1000} s): ${describeError(err)}`));
await reconcile();
timers.push(
  setInterval(() => void heartbeat(), env.HEARTBEAT_MS),
  setInterval(() => void reconcile(), env.RECONCILE_MS),
);
log(
  `ready: queues ${TRAIN_QUEUE}, ${EVALUATE_QUEUE}, ${IMPORT_QUEUE}, ${SWEEP_QUEUE}; concurrency ${env.WORKER_CONCURRENCY}; ${env.TRAIN_REPLICAS} training thread(s) per job on WASM`,
);

async function close(why: string, exitCode = 0) {
  if (closing) return;
  closing = true;
  log(`${why}: handing running jobs back to the queue and closing`);
  shutdown.abort();
  timers.forEach(clearInterval);
  await Promise.all([trainWorker.close(), evaluateWorker.close(), importWorker.close(), sweepWorker.close()]);
  await Promise.all([trainQueue.close(), sweepQueue.close()]);
  await removeWorker(db, env.WORKER_ID).catch(() => {});
  await db.$disconnect();
  connection.disconnect();
  process.exit(exitCode);
}
process.on('unhandledRejection', (err) => log(`unhandled: ${errorMessage(err)}`));
process.on('SIGTERM', () => void close('SIGTERM'));
process.on('SIGINT', () => void close('SIGINT'));
