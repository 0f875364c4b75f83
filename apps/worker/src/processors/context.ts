import type { Db } from '@moodlab/db';
import type { parseEnv } from '../env';

/** What every processor needs; built once in main.ts. */
export interface ProcessorContext {
  db: Db;
  env: ReturnType<typeof parseEnv>;
  /** Runs this worker is training now, for the heartbeat. */
  activeRuns: Set<string>;
  /** Set on SIGTERM: running jobs hand themselves back to the queue. */
  shuttingDown: AbortSignal;
  /**
   * Hands every running job back and exits for a restart (tools/setup/up.sh and docker-compose start
   * the worker again): called when the code on disk changed under this process (SourcesChangedError).
   */
  restart: (reason: string) => void;
}
