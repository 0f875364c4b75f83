import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '@moodlab/cnn/backend';
import { evaluateModel, loadModelFromArtifact } from '@moodlab/cnn/inference';
import { importKerasModel, suggestKerasSettings } from '@moodlab/cnn/keras';
import { keras2H5, randomizeBatchNorm } from '@moodlab/cnn/keras/test-files';
import { createDb, getModelVersion, getRun } from '@moodlab/db';
import { createEvaluateQueue, createRedis, createTrainQueue } from '@moodlab/jobs';
import { InvalidRequestError, startRun } from '@moodlab/runs';
import { importKerasFile, kerasFileOf } from '@moodlab/runs/keras';
import { EMOTIONS } from '@moodlab/shared';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test-env';

/** The Keras import workflow that the dashboard's upload and `moodlab import-model` share, on the real Postgres and Redis. */
const db = createDb(TEST_DATABASE_URL);
const redis = createRedis(TEST_REDIS_URL, 'client');
const evaluateQueue = createEvaluateQueue(redis);
const trainQueue = createTrainQueue(redis);
const deps = { db, evaluateQueue };
let datasetId = '';

function kerasNet(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [48, 48, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 7, activation: 'softmax' }),
    ],
  });
  randomizeBatchNorm(model);
  return model;
}

const counts = async () => ({ runs: await db.run.count(), versions: await db.modelVersion.count() });

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  datasetId = (await registerSyntheticDataset(db, { name: 'keras-synthetic', trainPerClass: 2, validationPerClass: 3 }))
    .id;
});

afterAll(async () => {
  await Promise.all([evaluateQueue.obliterate({ force: true }), trainQueue.obliterate({ force: true })]);
  await Promise.all([evaluateQueue.close(), trainQueue.close()]);
  redis.disconnect();
  await db.$disconnect();
});

describe('importing a Keras file', () => {
  it('records a run of kind import and a model version, queues its evaluation, and imports the same weights once', async () => {
    const bytes = await keras2H5(kerasNet());
    const file = { fileName: 'fer_model.h5', bytes };
    const request = { datasetId, classOrder: 'fer2013-csv' as const, normalization: 'scale11' as const };
    const result = await importKerasFile(deps, file, request);
    expect(result).toMatchObject({ created: true, imported: { fileName: 'fer_model.h5', settingsFrom: 'request' } });
    const run = await getRun(db, result.runId!);
    expect(run).toMatchObject({ kind: 'import', status: 'completed', architecture: 'keras:fer_model', epochs: [] });
    const job = await evaluateQueue.getJob(result.evaluationJobId!);
    expect(job?.data).toMatchObject({ modelVersionId: result.modelVersionId, datasetId, split: 'validation' });

    const again = await importKerasFile(deps, file, request);
    expect(again).toMatchObject({ created: false, version: result.version });

    // Exported back to Keras, the file is the same model: the same weights, so the same version.
    const exported = await kerasFileOf(db, { version: result.version });
    const back = await importKerasFile(deps, { fileName: exported.fileName, bytes: exported.bytes }, { datasetId });
    expect(back).toMatchObject({ created: false, version: result.version });
    const mv = await getModelVersion(db, result.modelVersionId);
    expect(mv?.artifact.meta).toMatchObject({ metadata: { source: { fileName: 'fer_model.h5', format: 'hdf5' } } });
  });

  it('fine-tunes from its own version only, at its own size and normalisation', async () => {
    const { version } = await importKerasFile(
      deps,
      { fileName: 'tune_me.h5', bytes: await keras2H5(kerasNet()) },
      { datasetId, classOrder: 'alphabetical', normalization: 'scale11', evaluate: false },
    );
    const hyperparameters = {
      architecture: 'keras:tune_me',
      epochs: 1,
      preprocessing: { imageSize: 48, normalization: 'scale11' },
    };
    await expect(startRun({ db, trainQueue }, { datasetId, hyperparameters })).rejects.toThrow(
      /imported model: fine-tune it from its version/,
    );
    await expect(
      startRun(
        { db, trainQueue },
        { datasetId, hyperparameters: { ...hyperparameters, initFrom: version, preprocessing: { imageSize: 48 } } },
      ),
    ).rejects.toThrow(/takes scale11-normalised images/);
    const run = await startRun(
      { db, trainQueue },
      { datasetId, hyperparameters: { ...hyperparameters, initFrom: version } },
    );
    expect(run).toMatchObject({ architecture: 'keras:tune_me', status: 'queued' });
  });

  it('stores nothing for a bad file, and asks for what the file does not say with a suggestion', async () => {
    const before = await counts();
    const bad = { fileName: 'notes.h5', bytes: new TextEncoder().encode('not a model') };
    await expect(
      importKerasFile(deps, bad, { datasetId, classOrder: 'alphabetical', normalization: 'scale01' }),
    ).rejects.toThrow(InvalidRequestError);
    const good = { fileName: 'model.h5', bytes: await keras2H5(kerasNet()) };
    await expect(importKerasFile(deps, good, { datasetId })).rejects.toThrow(
      /does not record its class order.*A check on keras-synthetic's validation images suggests class order/,
    );
    expect(await counts()).toEqual(before);
  });
});

/** Real data: a BatchNormalization read in the wrong order still has the right shapes, so only accuracy tells. */
const MINI_XCEPTION = path.resolve('../shared/keras-models/fer2013_mini_XCEPTION.102-0.66.hdf5');
const FER_VALIDATION = path.resolve('../shared/datasets/fer2013/validation');
const haveRealFiles = existsSync(MINI_XCEPTION) && existsSync(FER_VALIDATION);
if (!haveRealFiles) console.warn(`skipping the real Keras file test: ${MINI_XCEPTION} or ${FER_VALIDATION} is absent`);

async function ferSample(perClass: number) {
  const images = new Uint8Array(EMOTIONS.length * perClass * 48 * 48);
  const labels = new Uint8Array(EMOTIONS.length * perClass);
  let n = 0;
  for (const [label, name] of EMOTIONS.entries()) {
    const files = readdirSync(path.join(FER_VALIDATION, name)).sort().slice(0, perClass);
    for (const f of files) {
      const raw = await sharp(await readFile(path.join(FER_VALIDATION, name, f)))
        .grayscale()
        .resize(48, 48)
        .raw()
        .toBuffer();
      images.set(raw, n * 48 * 48);
      labels[n++] = label;
    }
  }
  return { size: 48, images: images.subarray(0, n * 48 * 48), labels: labels.subarray(0, n) };
}

describe.skipIf(!haveRealFiles)('the mini-Xception of face_classification (Keras 2.0.5)', () => {
  it('classifies real FER2013 faces as its authors report, and the check suggests its true settings', async () => {
    const bytes = new Uint8Array(await readFile(MINI_XCEPTION));
    const faces = await ferSample(40);
    const imported = await importKerasModel(bytes, {
      fileName: path.basename(MINI_XCEPTION),
      classOrder: 'fer2013-csv',
      normalization: 'scale11',
      classNames: EMOTIONS,
    });
    expect(imported.preprocessing).toMatchObject({ imageSize: 64, channels: 1, flatten: false });
    const { model, metadata } = await loadModelFromArtifact(imported.artifact.meta, imported.artifact.data);
    const report = evaluateModel(model, faces, metadata.classNames, metadata.preprocessing);
    // 65% on the whole validation split; chance is 14%, and a swapped BatchNorm gives about 25%.
    expect(report.accuracy).toBeGreaterThan(0.5);
    const [best] = await suggestKerasSettings(bytes, faces, EMOTIONS);
    expect(best).toMatchObject({ classOrder: 'fer2013-csv', normalization: 'scale11' });
  });
});
