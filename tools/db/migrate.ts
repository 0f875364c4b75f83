/** Applies prisma/migrations to DATABASE_URL (creating the database if needed). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@moodlab/db';
import { toolsEnv } from '../env';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const result = await migrate({
  connectionString: toolsEnv.DATABASE_URL,
  migrationsDir: path.join(root, 'prisma/migrations'),
  log: (line) => console.log(`migrate: ${line}`),
});
console.log(`migrate: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
