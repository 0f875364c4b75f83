import { cancelRun, resumeRun, resumeRunRequestSchema, startRun } from '@moodlab/runs';
import { services } from './services';
import { env } from './env';

/** The run lifecycle bound to this process's connections. */
export const runs = {
  start: (body: unknown) => startRun(services(), body, env.npm_package_version),
  cancel: (id: string) => cancelRun(services(), id),
  /** body: optional { epochs } to lengthen or shorten the run. */
  resume: (id: string, body: unknown = {}) => resumeRun(services(), id, resumeRunRequestSchema.parse(body)),
};
