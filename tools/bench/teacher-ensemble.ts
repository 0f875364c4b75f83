/**
 * How good a distillation teacher would be: each model version's validation accuracy in one pass
 * and with flip TTA, then their ensemble as `distillFrom` builds it (teacher-targets.ts, at T=1).
 *
 *   npx tsx tools/bench/teacher-ensemble.ts --dataset fer2013 --versions 1,2,3
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '@moodlab/cnn/backend';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { accuracy, argmaxRows, loadModelFromArtifact, predictProbabilities } from '@moodlab/cnn/inference';
import { teacherTargets } from '@moodlab/cnn/training';
import { createDb, getDatasetByName, getModelVersionByNumber } from '@moodlab/db';
import { loadDatasetPack } from '@moodlab/runs';
import { printMachine } from './machine';

const { values } = parseArgs({ options: { dataset: { type: 'string' }, versions: { type: 'string' } } });
if (!values.dataset || !values.versions) throw new Error('usage: --dataset NAME --versions 1,2,3');
const backend = await selectBackend({ prefer: 'wasm', threads: 1, measureGemm: true });
printMachine(backend);
const db = createDb();
const ds = await getDatasetByName(db, values.dataset);
if (!ds) throw new Error(`Unknown dataset "${values.dataset}"`);
const pack = await loadDatasetPack(db, ds.id);
const validation = unpackSplit(packMetaSchema.parse(pack.meta), pack.data, 'validation');
const teachers = [];
const rows: string[] = [];
const pct = (probs: Float32Array, k: number) =>
  `${(100 * accuracy(validation.labels, argmaxRows(probs, k))).toFixed(2)}%`;
for (const v of values.versions.split(',').map(Number)) {
  const mv = await getModelVersionByNumber(db, v);
  if (!mv) throw new Error(`No model version ${v}`);
  const { model, metadata } = await loadModelFromArtifact(mv.artifact.meta, new Uint8Array(mv.artifact.data));
  const k = metadata.classNames.length;
  const one = predictProbabilities(model, validation, metadata.preprocessing);
  const tta = predictProbabilities(model, validation, metadata.preprocessing, 256, true);
  rows.push(`| v${v} (${metadata.architecture}) | ${pct(one, k)} | ${pct(tta, k)} |`);
  teachers.push({ model, preprocessing: metadata.preprocessing, architecture: metadata.architecture });
}
const k = ds.classNames.length;
rows.push(`| ensemble of ${values.versions} | – | ${pct(await teacherTargets(teachers, validation, 1), k)} |`);
console.log(`\n${values.dataset} validation, ${validation.labels.length} faces\n`);
console.log('| model | one pass | flip TTA |\n| --- | --- | --- |');
console.log(rows.join('\n'));
await db.$disconnect();
