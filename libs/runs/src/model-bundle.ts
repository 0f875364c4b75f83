import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { artifactMetaFromLayersModelJson, layersModelJson, modelArtifactMetaSchema } from '@moodlab/cnn/inference';
import {
  createModelVersion,
  digestOf,
  ensureDatasetRecord,
  getModelVersionIdentity,
  getModelVersionProvenance,
  findModelVersionByDigest,
  recordFinishedRun,
  type Db,
  type Prisma,
} from '@moodlab/db';
import {
  errorMessage,
  pipelineFiguresSchema,
  type PipelineFigures,
  batchNormRecalibrationSchema,
  storedHyperparametersSchema,
  weightAverageOutcomeSchema,
} from '@moodlab/shared';
import { NotFoundError } from './errors';
import { evaluationSchema, initializedFromSchema, modelCardSchema, type ModelCard } from './model-card';
import { modelCardMarkdown } from './model-card-markdown';

/**
 * A model bundle is a folder: `model.json` + `weights.bin` (the standard TF.js layers format,
 * class order and preprocessing in its metadata) and `card.json`, the model card: what it was
 * trained on, how, and how well it did. A bundle registered on another machine becomes an
 * ordinary run, model version and evaluations there, so its curves and confusion matrix show.
 */
export interface ModelBundle {
  card: ModelCard;
  modelJson: Record<string, unknown>;
  weights: Uint8Array;
}

/** Everything a bundle holds, from the database; the latest evaluation per split. */
export async function modelBundleOf(db: Db, version: number): Promise<ModelBundle> {
  const mv = await getModelVersionProvenance(db, version);
  if (!mv) throw new NotFoundError(`Unknown model version ${version}`);
  const meta = modelArtifactMetaSchema.parse(mv.artifact.meta);
  const weights = new Uint8Array(mv.artifact.data);
  const { run } = mv;
  const hp = storedHyperparametersSchema.parse(run.hyperparameters);
  const summary = mv.summary as {
    averaged?: unknown;
    recalibrated?: unknown;
    initializedFrom?: unknown;
    distilledFrom?: unknown;
    pipeline?: unknown;
  } | null;
  // A registered bundle whose parent is not in this database keeps the parent's identity in its summary.
  const parent =
    (hp.initFrom === null ? null : await getModelVersionIdentity(db, hp.initFrom)) ??
    initializedFromSchema
      .nullable()
      .catch(null)
      .parse(summary?.initializedFrom ?? null);
  // A registered bundle with teachers not in this database keeps all their identities in its summary.
  const teachers =
    z
      .array(initializedFromSchema)
      .nullable()
      .catch(null)
      .parse(summary?.distilledFrom ?? null) ??
    (await Promise.all(hp.distillFrom.map((v) => getModelVersionIdentity(db, v)))).filter((t) => t !== null);
  const latest = new Map<string, (typeof mv.evaluations)[number]>();
  for (const ev of mv.evaluations) if (!latest.has(ev.split)) latest.set(ev.split, ev);
  const card: ModelCard = {
    format: 'moodlab-model-card-v1',
    architecture: mv.architecture,
    weightsSha256: digestOf(weights),
    dataset: {
      name: run.dataset.name,
      source: run.dataset.source,
      digest: run.dataset.digest,
      imageSize: run.dataset.imageSize,
      classNames: run.dataset.classNames,
      counts: run.dataset.counts as ModelCard['dataset']['counts'],
    },
    run: {
      hyperparameters: hp,
      backend: run.backend,
      codeVersion: run.codeVersion,
      tags: run.tags,
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      epochs: run.epochs.map(({ epoch, loss, accuracy, valLoss, valAccuracy, learningRate, durationMs }) => ({
        epoch,
        loss,
        accuracy,
        valLoss,
        valAccuracy,
        learningRate,
        durationMs,
      })),
      initializedFrom: parent,
      ...(teachers.length ? { distilledFrom: teachers } : {}),
      averaged: weightAverageOutcomeSchema
        .nullable()
        .catch(null)
        .parse(summary?.averaged ?? null),
      recalibrated: batchNormRecalibrationSchema
        .nullable()
        .catch(null)
        .parse(summary?.recalibrated ?? null),
    },
    evaluations: [...latest.values()].map((ev) => evaluationSchema.parse({ ...ev, confusion: ev.confusionMatrix })),
    pipeline: pipelineFiguresSchema
      .nullable()
      .catch(null)
      .parse(summary?.pipeline ?? null),
  };
  return { card, modelJson: layersModelJson(meta), weights };
}

export async function writeModelBundle(
  dir: string,
  bundle: ModelBundle,
  title = `Model: ${bundle.card.architecture} on ${bundle.card.dataset.name}`,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'model.json'), `${JSON.stringify(bundle.modelJson)}\n`);
  await writeFile(path.join(dir, 'weights.bin'), bundle.weights);
  await writeFile(path.join(dir, 'card.json'), `${JSON.stringify(bundle.card, null, 2)}\n`);
  await writeFile(path.join(dir, 'README.md'), modelCardMarkdown(bundle.card, title));
}

/** Adds the pipeline benchmark's figures to a bundle on disk: its card.json and README.md. */
export async function writePipelineFigures(dir: string, figures: PipelineFigures): Promise<void> {
  const bundle = await readModelBundle(dir);
  await writeModelBundle(dir, { ...bundle, card: { ...bundle.card, pipeline: figures } });
}

export async function readModelBundle(dir: string): Promise<ModelBundle> {
  const readJson = async (name: string) => {
    try {
      return JSON.parse(await readFile(path.join(dir, name), 'utf8')) as unknown;
    } catch (err) {
      throw new Error(`model bundle ${dir}: cannot read ${name}: ${errorMessage(err)}`);
    }
  };
  const cardParsed = modelCardSchema.safeParse(await readJson('card.json'));
  if (!cardParsed.success)
    throw new Error(`model bundle ${dir}: card.json is invalid: ${z.prettifyError(cardParsed.error)}`);
  const modelJson = (await readJson('model.json')) as Record<string, unknown>;
  const weights = new Uint8Array(await readFile(path.join(dir, 'weights.bin')));
  if (digestOf(weights) !== cardParsed.data.weightsSha256)
    throw new Error(`model bundle ${dir}: weights.bin does not match the sha256 in card.json`);
  return { card: cardParsed.data, modelJson, weights };
}

/**
 * Registers a bundle as a run (completed, with its epochs), a model version and its evaluations.
 * The dataset is recorded by name and digest; importing its images later under that name
 * attaches them. Registering the same weights twice returns the existing version.
 */
export async function registerModelBundle(
  db: Db,
  bundle: ModelBundle,
): Promise<{ version: number; id: string; created: boolean }> {
  const meta = artifactMetaFromLayersModelJson(bundle.modelJson);
  const existing = await findModelVersionByDigest(db, bundle.card.weightsSha256);
  if (existing) return { ...existing, created: false };
  const { card } = bundle;
  const dataset = await ensureDatasetRecord(db, {
    ...card.dataset,
    source: `${card.dataset.source} (registered from a model card; import the images under this name to attach them)`,
  });
  // initFrom names a version of the exporting database; here it is whichever version holds those weights, if any.
  const parent = card.run.initializedFrom
    ? await findModelVersionByDigest(db, card.run.initializedFrom.weightsSha256)
    : null;
  const teachers = await Promise.all(
    (card.run.distilledFrom ?? []).map((t) => findModelVersionByDigest(db, t.weightsSha256)),
  );
  const hp = {
    ...card.run.hyperparameters,
    initFrom: parent?.version ?? null,
    distillFrom: teachers.filter((t) => t !== null).map((t) => t.version),
  };
  const run = await recordFinishedRun(db, {
    datasetId: dataset.id,
    architecture: card.architecture,
    hyperparameters: hp as Prisma.InputJsonValue,
    seed: hp.seed,
    tags: card.run.tags,
    codeVersion: card.run.codeVersion ?? undefined,
    backend: card.run.backend,
    startedAt: card.run.startedAt ? new Date(card.run.startedAt) : null,
    finishedAt: card.run.finishedAt ? new Date(card.run.finishedAt) : null,
    epochs: card.run.epochs,
  });
  const best = card.run.epochs.reduce<(typeof card.run.epochs)[number] | null>(
    (b, e) => (e.valAccuracy !== null && (!b || e.valAccuracy > (b.valAccuracy ?? -1)) ? e : b),
    null,
  );
  const mv = await createModelVersion(
    db,
    {
      runId: run.id,
      architecture: card.architecture,
      summary: {
        epochs: card.run.epochs.length,
        bestEpoch: best?.epoch ?? null,
        bestValAccuracy: best?.valAccuracy ?? null,
        registeredFrom: 'model bundle',
        ...(card.run.averaged ? { averaged: card.run.averaged } : {}),
        ...(card.run.recalibrated ? { recalibrated: card.run.recalibrated } : {}),
        ...(card.run.initializedFrom && !parent ? { initializedFrom: card.run.initializedFrom } : {}),
        ...(teachers.some((t) => t === null) ? { distilledFrom: card.run.distilledFrom } : {}),
        ...(card.pipeline ? { pipeline: card.pipeline } : {}),
      },
      artifact: { meta: meta as Prisma.InputJsonValue, data: bundle.weights },
    },
    card.evaluations.map((ev) => ({ datasetId: dataset.id, ...ev })),
  );
  return { version: mv.version, id: mv.id, created: true };
}
