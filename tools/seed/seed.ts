/** Registers the built-in dataset and, when nothing is promoted, a default model (idempotent). */
import { createDb } from '@moodlab/db';
import { formatPercent } from '@moodlab/shared';
import { toolsEnv } from '../env';
import { registerSyntheticDataset } from './builtin-dataset';
import { registerDefaultModel } from './default-model';

const db = createDb(toolsEnv.DATABASE_URL);
const ds = await registerSyntheticDataset(db);
console.log(`seed: dataset "${ds.name}" (${ds.id})`);
const model = await registerDefaultModel(db, ds, (line) => console.log(`seed: ${line}`));
if (!model) console.log('seed: a model is already promoted');
else if (model.kind === 'promoted')
  console.log(
    `seed: promoted default model v${model.version}, ${model.source}, validation accuracy ${formatPercent(model.accuracy, 1, 'not evaluated')}`,
  );
await db.$disconnect();
