/** Applies prisma/migrations to DATABASE_URL (creating the database if needed). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL, migrate } from '@moodlab/db';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const result = await migrate({
  connectionString: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
  migrationsDir: path.join(root, 'prisma/migrations'),
  log: (line) => console.log(`migrate: ${line}`),
});
console.log(`migrate: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
