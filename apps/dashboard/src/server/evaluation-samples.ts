import type { CellSamples } from '@/api-schemas';
import { argmaxRows, predictProbabilities } from '@moodlab/cnn/inference';
import { packMetaSchema, unpackSplit } from '@moodlab/cnn/datasets';
import { getEvaluation } from '@moodlab/db';
import { parseEvaluationSplit } from '@moodlab/shared';
import { LRUCache } from 'lru-cache';
import { loadDatasetPack, NotFoundError } from '@moodlab/runs';
import { HttpError } from './http';
import { modelById } from './serving';
import { services } from './services';

/**
 * Per-image predictions behind an evaluation, recomputed on first use (they are not stored:
 * a split's worth of probabilities per evaluation would dwarf the table) and cached.
 */
interface EvaluationPredictions {
  probs: Float32Array;
  labels: Uint8Array;
  split: string;
  k: number;
}
const holder = globalThis as unknown as { __moodlabEvalPredictions?: LRUCache<string, Promise<EvaluationPredictions>> };
/** The evaluations last opened; each holds a split's probabilities (FER2013 validation: 100 KB). */
const cache = (holder.__moodlabEvalPredictions ??= new LRUCache<string, Promise<EvaluationPredictions>>({ max: 32 }));

async function predictionsFor(evaluationId: string) {
  const ev = await getEvaluation(services().db, evaluationId);
  if (!ev) throw new NotFoundError(`Unknown evaluation id ${evaluationId}`);
  const { split, flipTta: tta } = parseEvaluationSplit(ev.split);
  const [{ model, metadata }, pack] = await Promise.all([
    modelById(ev.modelVersionId),
    loadDatasetPack(services().db, ev.datasetId),
  ]);
  const images = unpackSplit(packMetaSchema.parse(pack.meta), pack.data, split);
  return {
    probs: predictProbabilities(model, images, metadata.preprocessing, 256, tta),
    labels: images.labels,
    split,
    k: metadata.classNames.length,
  };
}

export interface CellSample {
  index: number;
  confidence: number;
  trueScore: number;
}

/** The images of one confusion-matrix cell, most confident first (the worst mistakes on top). */
export async function cellSamples(
  evaluationId: string,
  trueClass: number,
  predicted: number,
  limit = 48,
): Promise<CellSamples> {
  if (!cache.has(evaluationId))
    cache.set(
      evaluationId,
      predictionsFor(evaluationId).catch((e: unknown) => {
        cache.delete(evaluationId);
        throw e;
      }),
    );
  const { probs, labels, split, k } = await cache.get(evaluationId)!;
  if (trueClass < 0 || trueClass >= k || predicted < 0 || predicted >= k)
    throw new HttpError(400, `classes are 0..${k - 1}`);
  const pred = argmaxRows(probs, k);
  const samples: CellSample[] = [];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === trueClass && pred[i] === predicted)
      samples.push({ index: i, confidence: probs[i * k + predicted]!, trueScore: probs[i * k + trueClass]! });
  }
  samples.sort((a, b) => b.confidence - a.confidence);
  const ev = (await getEvaluation(services().db, evaluationId))!;
  return { split, datasetId: ev.datasetId, samples: samples.slice(0, limit), total: samples.length };
}
