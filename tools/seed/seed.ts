/** Registers the built-in dataset (idempotent). Run by the set-up command after migrations. */
import { createDb, DEFAULT_DATABASE_URL } from '@moodlab/db';
import { registerSyntheticDataset } from './builtin-dataset';

const db = createDb(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
const ds = await registerSyntheticDataset(db);
console.log(`seed: dataset "${ds.name}" (${ds.id})`);
await db.$disconnect();
