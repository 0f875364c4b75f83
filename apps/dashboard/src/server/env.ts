import os from 'node:os';
import { z } from 'zod';
import { importRootsSchema } from '@moodlab/runs';
import { DEFAULT_DATABASE_URL } from '@moodlab/db/urls';
import { DEFAULT_REDIS_URL } from '@moodlab/jobs';

/** The dashboard's configuration, parsed once; nothing else reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.string().url().default(DEFAULT_REDIS_URL),
  /** When set, state-changing actions require signing in with it (see server/auth.ts). */
  ADMIN_PASSWORD: z.string().min(1).optional(),
  /** Signs admin sessions; unset, a key is drawn at start and sessions end with the process. */
  SESSION_SECRET: z.string().min(32).optional(),
  /** Folders under which import requests may name server-side paths; none by default (uploads only). */
  MOODLAB_IMPORT_ROOTS: importRootsSchema,
  /** Threads for POST /api/predict (default: one per core); 0 predicts on the event loop. */
  PREDICT_THREADS: z.coerce.number().int().min(0).max(64).default(os.availableParallelism()),
  /** Recorded with each run started here (npm sets it when the dashboard runs through npm). */
  npm_package_version: z.string().default('dev'),
});

export const env = envSchema.parse(process.env);
