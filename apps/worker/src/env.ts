import os from 'node:os';
import { z } from 'zod';
import { BACKEND_ORDER } from '@moodlab/cnn/backend';
import { importRootsSchema } from '@moodlab/runs';
import { DEFAULT_DATABASE_URL } from '@moodlab/db/urls';
import { DEFAULT_REDIS_URL } from '@moodlab/jobs';

/** The worker's whole configuration, parsed once at boot; nothing else reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().url().default(DEFAULT_REDIS_URL),
  WORKER_ID: z.string().min(1).default(`${os.hostname()}-${process.pid}`),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  /** Force a TF.js backend; by default the fastest that loads (GPU, native CPU, WASM, JS). */
  TF_BACKEND: z.enum(BACKEND_ORDER).optional(),
  TF_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * Processes per training job on the WASM backend (data-parallel; its Node build has one
   * thread). Default: the machine's cores divided by the job concurrency.
   */
  TRAIN_REPLICAS: z.coerce.number().int().min(1).max(64).optional(),
  /** How long a job's lock lives without renewal: a dead worker's job is taken over after it. */
  LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),
  STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  HEARTBEAT_MS: z.coerce.number().int().min(500).default(5_000),
  /** How often Postgres and the queue are made to agree (a run whose job vanished is enqueued again). */
  RECONCILE_MS: z.coerce.number().int().min(500).default(10_000),
  /** Folders under which import jobs may read server-side paths; none by default (uploads only). The CLI imports without this limit. */
  MOODLAB_IMPORT_ROOTS: importRootsSchema,
});
export type WorkerEnv = z.infer<typeof envSchema>;

export function parseEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv & { TRAIN_REPLICAS: number } {
  const parsed = envSchema.parse(env);
  return {
    ...parsed,
    TRAIN_REPLICAS:
      parsed.TRAIN_REPLICAS ?? Math.max(1, Math.floor(os.availableParallelism() / parsed.WORKER_CONCURRENCY)),
  };
}
