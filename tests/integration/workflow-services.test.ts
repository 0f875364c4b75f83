import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getArchitecture } from '@moodlab/cnn/training';
import { modelToArtifact } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import {
  createDb,
  createRun,
  ensureDatasetRecord,
  getArtifact,
  readUpload,
  getEvaluation,
  recordTrainedModel,
  type Prisma,
} from '@moodlab/db';
import { createEvaluateQueue, createImportQueue, createRedis } from '@moodlab/jobs';
import {
  ConflictError,
  ForbiddenError,
  InvalidRequestError,
  NotFoundError,
  PayloadTooLargeError,
  prepareImport,
  queueEvaluation,
  queueImport,
  recordEvaluationReport,
} from '@moodlab/runs';
import { EMOTIONS, hyperparametersSchema, parseEvaluationSplit } from '@moodlab/shared';
import { registerSyntheticDataset } from '../../tools/seed/builtin-dataset';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../test-env';

/** The evaluation and import workflows that the dashboard's routes, the CLI and the workers share. */
const db = createDb(TEST_DATABASE_URL);
const redis = createRedis(TEST_REDIS_URL, 'client');
const evaluateQueue = createEvaluateQueue(redis);
const importQueue = createImportQueue(redis);
const NAME = 'services-synthetic';
let datasetId = '';
let modelVersionId = '';
let artifact: Awaited<ReturnType<typeof modelToArtifact>>;
const hp = hyperparametersSchema.parse({ epochs: 1 });

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm' });
  const ds = await registerSyntheticDataset(db, { name: NAME, trainPerClass: 2, validationPerClass: 2 });
  datasetId = ds.id;
  const run = await createRun(db, { datasetId, architecture: hp.architecture, hyperparameters: hp, seed: hp.seed });
  const model = getArchitecture(hp.architecture).build({ imageSize: 48, numClasses: 7, seed: 1 });
  artifact = await modelToArtifact(model, {
    classNames: [...EMOTIONS],
    preprocessing: hp.preprocessing,
    architecture: hp.architecture,
  });
  const mv = await recordTrainedModel(db, {
    runId: run.id,
    datasetId,
    architecture: hp.architecture,
    summary: {},
    artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
    evaluation: null,
  });
  modelVersionId = mv.id;
});

afterAll(async () => {
  await evaluateQueue.obliterate({ force: true });
  await importQueue.obliterate({ force: true });
  await evaluateQueue.close();
  await importQueue.close();
  redis.disconnect();
  await db.$disconnect();
});

describe('recording a trained model', () => {
  const trained = (runId: string, split: string) => ({
    runId,
    datasetId,
    architecture: hp.architecture,
    summary: {},
    artifact: { meta: artifact.meta as Prisma.InputJsonValue, data: artifact.data },
    evaluation: { split, accuracy: 0.5, macroF1: 0.4, perClass: [], confusion: [] },
  });

  it('stores the version and its evaluation together, or neither', async () => {
    const run = await createRun(db, { datasetId, architecture: hp.architecture, hyperparameters: hp, seed: hp.seed });
    // Postgres refuses a NUL in text: an evaluation that cannot be stored must not leave a version behind.
    await expect(recordTrainedModel(db, trained(run.id, 'validation\u0000'))).rejects.toThrow();
    expect(await db.modelVersion.count({ where: { runId: run.id } })).toBe(0);

    const mv = await recordTrainedModel(db, trained(run.id, 'validation'));
    const evaluations = await db.evaluation.findMany({ where: { modelVersionId: mv.id } });
    expect(evaluations.map((e) => [e.split, e.accuracy])).toEqual([['validation', 0.5]]);
  });
});

describe('evaluation workflow', () => {
  it('queues a job for an existing model, dataset and split', async () => {
    const { jobId } = await queueEvaluation({ db, evaluateQueue }, modelVersionId, {
      datasetId,
      split: 'validation',
      flipTta: true,
    });
    const job = await evaluateQueue.getJob(jobId);
    expect(job?.data).toEqual({ modelVersionId, datasetId, split: 'validation', flipTta: true });
  });

  it('refuses an unknown model (404) and a split the dataset lacks (400, naming the splits it has)', async () => {
    const deps = { db, evaluateQueue };
    await expect(
      queueEvaluation(deps, '00000000-0000-4000-8000-000000000000', { datasetId, split: 'validation' }),
    ).rejects.toThrow(NotFoundError);
    const wrongSplit = queueEvaluation(deps, modelVersionId, { datasetId, split: 'test' });
    await expect(wrongSplit).rejects.toThrow(InvalidRequestError);
    await expect(queueEvaluation(deps, modelVersionId, { datasetId, split: 'test' })).rejects.toThrow(
      /has no "test" split \(it has train, validation\)/,
    );
  });

  it('stores a flip-TTA evaluation apart from a plain one, and reads both back typed', async () => {
    const report = {
      accuracy: 0.5,
      macroF1: 0.4,
      perClass: EMOTIONS.map((label) => ({ label, precision: 0.5, recall: 0.5, f1: 0.5, support: 2 })),
      confusion: EMOTIONS.map((_, i) => EMOTIONS.map((__, j) => (i === j ? 1 : j === (i + 1) % 7 ? 1 : 0))),
    };
    const payload = { modelVersionId, datasetId, split: 'validation' };
    const tta = await recordEvaluationReport(db, { ...payload, flipTta: true }, report);
    const plain = await recordEvaluationReport(db, { ...payload, flipTta: false }, report);
    expect(parseEvaluationSplit(tta.split)).toEqual({ split: 'validation', flipTta: true });
    expect(parseEvaluationSplit(plain.split)).toEqual({ split: 'validation', flipTta: false });
    const back = await getEvaluation(db, tta.id);
    expect(back?.perClass[3]?.label).toBe('happy');
    expect(back?.confusionMatrix[0]).toEqual([1, 1, 0, 0, 0, 0, 0]);
  });
});

describe('import workflow', () => {
  it('refuses a name in use, and a path outside the import roots', async () => {
    await expect(prepareImport(db, { name: NAME, source: { kind: 'folder', path: '/tmp' } }, null)).rejects.toThrow(
      ConflictError,
    );
    await expect(
      prepareImport(db, { name: 'fresh-name', source: { kind: 'folder', path: '/etc' } }, ['/tmp']),
    ).rejects.toThrow(ForbiddenError);
  });

  it('accepts the name of a dataset registered from a model card, whose images it attaches', async () => {
    await ensureDatasetRecord(db, {
      name: 'card-only',
      source: 'registered from a model card',
      classNames: [...EMOTIONS],
      imageSize: 48,
      digest: 'c'.repeat(64),
      counts: { train: {}, validation: {} },
    });
    const { payload } = await prepareImport(db, { name: 'card-only', source: { kind: 'folder', path: '/tmp' } }, null);
    expect(payload).toMatchObject({ name: 'card-only', source: { kind: 'folder', path: '/tmp' } });
  });

  it('stores an upload for any worker to take, and removes it when the job cannot be queued', async () => {
    const bytes = new Uint8Array([80, 75, 5, 6, ...new Array(18).fill(0)]);
    const { payload, discard } = await prepareImport(
      db,
      { name: 'upload-check', source: { kind: 'zip', fileName: 'faces.zip', bytes } },
      null,
    );
    if (payload.source.kind !== 'zip') throw new Error('expected a zip source');
    expect(await readUpload(db, payload.source.artifactId)).toEqual(bytes);
    await discard();
    expect(await getArtifact(db, payload.source.artifactId)).toBeNull();

    const { jobId } = await queueImport(
      { db, importQueue },
      { name: 'queued-check', source: { kind: 'zip', fileName: 'faces.zip', bytes } },
      [],
    );
    const job = await importQueue.getJob(jobId);
    expect(job?.data).toMatchObject({ name: 'queued-check', source: { kind: 'zip', fileName: 'faces.zip' } });
  });

  it('stores a streamed upload in parts as it arrives, refuses one over the limit, and checks the name before reading', async () => {
    const MB = 1024 * 1024;
    let pulled = 0;
    async function* chunks(n: number) {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield new Uint8Array(MB).fill(i);
      }
    }
    const { payload } = await prepareImport(
      db,
      { name: 'streamed', source: { kind: 'zip', fileName: 'big.zip', bytes: chunks(9) } },
      null,
    );
    if (payload.source.kind !== 'zip') throw new Error('expected a zip source');
    const stored = await readUpload(db, payload.source.artifactId);
    expect(stored?.length).toBe(9 * MB);
    expect(stored?.[8 * MB]).toBe(8);
    expect(await db.uploadPart.count({ where: { artifactId: payload.source.artifactId } })).toBe(3);

    const uploads = await db.artifact.count({ where: { kind: 'upload' } });
    await expect(
      prepareImport(
        db,
        { name: 'too-big', source: { kind: 'zip', fileName: 'big.zip', bytes: chunks(3), maxBytes: 2 * MB } },
        null,
      ),
    ).rejects.toThrow(PayloadTooLargeError);
    expect(await db.artifact.count({ where: { kind: 'upload' } })).toBe(uploads);

    pulled = 0;
    await expect(
      prepareImport(db, { name: NAME, source: { kind: 'zip', fileName: 'late.zip', bytes: chunks(2) } }, null),
    ).rejects.toThrow(ConflictError);
    expect(pulled).toBe(0);
  });
});
