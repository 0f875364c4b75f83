import { z } from 'zod';

/** The dashboard's configuration, parsed once; nothing else reads process.env. */
const envSchema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/moodlab'),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
});

export const env = envSchema.parse(process.env);
