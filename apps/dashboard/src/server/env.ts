import os from 'node:os';
import { z } from 'zod';
import { importRootsSchema } from '@moodlab/runs';

/** The dashboard's configuration, parsed once; nothing else reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/moodlab'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  /** When set, state-changing actions require signing in with it (see server/auth.ts). */
  ADMIN_PASSWORD: z.string().min(1).optional(),
  /** Signs admin sessions; unset, a key is drawn at start and sessions end with the process. */
  SESSION_SECRET: z.string().min(32).optional(),
  /** Threads for POST /api/predict (default: one per core); 0 predicts on the event loop. */
  /** Folders under which import requests may name server-side paths; none by default (uploads only). */
  MOODLAB_IMPORT_ROOTS: importRootsSchema,
  PREDICT_THREADS: z.coerce.number().int().min(0).max(64).default(os.availableParallelism()),
});

export const env = envSchema.parse(process.env);
