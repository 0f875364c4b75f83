import { PredictPool, predictImage } from '@moodlab/faces/node';
import type { PredictResponse } from '@moodlab/faces';
import type { DetectorKind } from '@moodlab/faces';
import { env } from './env';
import { artifactById, servingModel, servingVersionId } from './serving';

const holder = globalThis as unknown as { __moodlabPredictPool?: PredictPool };

/** One image through detection and classification: on the thread pool, or here when it is off. */
export async function predict(
  bytes: Uint8Array,
  modelVersion: number | undefined,
  detector: DetectorKind,
): Promise<PredictResponse> {
  if (env.PREDICT_THREADS === 0) {
    const served = await servingModel(modelVersion);
    return {
      modelVersion: served.version,
      modelVersionId: served.id,
      ...(await predictImage(bytes, served.model, served.metadata, detector)),
    };
  }
  const artifact = await artifactById(await servingVersionId(modelVersion));
  const pool = (holder.__moodlabPredictPool ??= new PredictPool(env.PREDICT_THREADS));
  return {
    modelVersion: artifact.version,
    modelVersionId: artifact.id,
    ...(await pool.predict(bytes, { key: artifact.id, meta: artifact.meta, data: artifact.data }, detector)),
  };
}
