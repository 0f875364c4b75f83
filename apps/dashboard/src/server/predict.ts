import { PredictPool, predictImage, type ImagePrediction } from '@moodlab/faces/node';
import type { DetectorKind } from '@moodlab/faces';
import { getModelVersion } from '@moodlab/db';
import { env } from './env';
import { servingModel, servingVersionId } from './serving';
import { services } from './services';

const holder = globalThis as unknown as { __moodlabPredictPool?: PredictPool; __moodlabArtifacts?: Map<string, Promise<{ version: number; meta: unknown; data: Uint8Array }>> };
const artifacts = (holder.__moodlabArtifacts ??= new Map());

function artifactOf(id: string) {
  if (!artifacts.has(id)) {
    artifacts.set(id, getModelVersion(services().db, id).then((mv) => {
      if (!mv) throw new Error(`model version ${id} disappeared`);
      return { version: mv.version, meta: mv.artifact.meta as unknown, data: new Uint8Array(mv.artifact.data) };
    }).catch((err: unknown) => { artifacts.delete(id); throw err; }));
  }
  return artifacts.get(id)!;
}

/** One image through detection and classification: on the thread pool, or here when it is off. */
export async function predict(bytes: Uint8Array, modelVersion: number | undefined, detector: DetectorKind): Promise<ImagePrediction & { modelVersion: number; modelVersionId: string }> {
  if (env.PREDICT_THREADS === 0) {
    const served = await servingModel(modelVersion);
    return { modelVersion: served.version, modelVersionId: served.id, ...(await predictImage(bytes, served.model, served.metadata, detector)) };
  }
  const id = await servingVersionId(modelVersion);
  const artifact = await artifactOf(id);
  const pool = (holder.__moodlabPredictPool ??= new PredictPool(env.PREDICT_THREADS));
  return { modelVersion: artifact.version, modelVersionId: id, ...(await pool.predict(bytes, { key: id, meta: artifact.meta, data: artifact.data }, detector)) };
}
