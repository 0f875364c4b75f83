import { createDb, type Db } from '@moodlab/db';
import { createEvaluateQueue, createImportQueue, createRedis, createSweepQueue, createTrainQueue } from '@moodlab/jobs';
import { env } from './env';

/** Process-wide connections, kept across hot reloads in development. */
interface Services {
  db: Db;
  trainQueue: ReturnType<typeof createTrainQueue>;
  evaluateQueue: ReturnType<typeof createEvaluateQueue>;
  importQueue: ReturnType<typeof createImportQueue>;
  sweepQueue: ReturnType<typeof createSweepQueue>;
}

const holder = globalThis as unknown as { __moodlab?: Services };

export function services(): Services {
  if (!holder.__moodlab) {
    const redis = createRedis(env.REDIS_URL, 'client');
    holder.__moodlab = {
      db: createDb(env.DATABASE_URL),
      trainQueue: createTrainQueue(redis),
      evaluateQueue: createEvaluateQueue(redis),
      importQueue: createImportQueue(redis),
      sweepQueue: createSweepQueue(redis),
    };
  }
  return holder.__moodlab;
}
