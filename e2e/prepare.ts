/** Fresh e2e database and Redis db with the built-in dataset; runs before the servers start. */
import { createDb } from '@moodlab/db';
import { resetServices } from '../tests/reset-services';
import { registerSyntheticDataset } from '../tools/seed/builtin-dataset';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/moodlab_e2e';
await resetServices(url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/2');
const db = createDb(url);
await registerSyntheticDataset(db, { trainPerClass: 60, validationPerClass: 15 });
await db.$disconnect();
