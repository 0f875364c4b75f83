/** Registers the built-in dataset and, when nothing is promoted, a default model (idempotent). */
import { createDb, DEFAULT_DATABASE_URL } from '@moodlab/db';
import { registerSyntheticDataset } from './builtin-dataset';
import { registerDefaultModel } from './default-model';

const db = createDb(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
const ds = await registerSyntheticDataset(db);
console.log(`seed: dataset "${ds.name}" (${ds.id})`);
const model = await registerDefaultModel(db, ds, (line) => console.log(`seed: ${line}`));
const accuracy =
  model?.accuracy == null ? 'not evaluated' : `validation accuracy ${(model.accuracy * 100).toFixed(1)}%`;
console.log(
  model
    ? `seed: promoted default model v${model.version}, ${model.source}, ${accuracy}`
    : 'seed: a model is already promoted',
);
await db.$disconnect();
