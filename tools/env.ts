import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from '@moodlab/db/urls';
import { DEFAULT_REDIS_URL } from '@moodlab/jobs';

/** The CLI's, the seed's and the migration runner's configuration, parsed once; they read process.env nowhere else. */
export const toolsEnv = z
  .object({
    DATABASE_URL: z.string().url().default(DEFAULT_DATABASE_URL),
    REDIS_URL: z.string().url().default(DEFAULT_REDIS_URL),
  })
  .parse(process.env);
