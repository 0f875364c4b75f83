import * as tf from '@tensorflow/tfjs';
import { loadModelFromArtifact, selectBackend, type ModelMetadata } from '@moodlab/cnn';
import { findModelVersionId, getModelVersion, servingPromotion } from '@moodlab/db';
import { NotFoundError } from '@moodlab/runs';
import { services } from './services';

/**
 * Models the server predicts with, loaded once per version. The promoted version is looked up
 * on each request (one indexed query), so a promotion takes effect without a restart.
 */
interface Loaded { id: string; version: number; model: tf.LayersModel; metadata: ModelMetadata }
const holder = globalThis as unknown as { __moodlabModels?: Map<string, Promise<Loaded>>; __moodlabBackend?: Promise<unknown> };
const cache = (holder.__moodlabModels ??= new Map());

export function ensureBackend(): Promise<unknown> {
  holder.__moodlabBackend ??= selectBackend();
  return holder.__moodlabBackend;
}

async function load(id: string): Promise<Loaded> {
  const mv = await getModelVersion(services().db, id);
  if (!mv) throw new NotFoundError(`Unknown model version id ${id}`);
  await ensureBackend();
  const { model, metadata } = await loadModelFromArtifact(mv.artifact.meta, new Uint8Array(mv.artifact.data));
  return { id: mv.id, version: mv.version, model, metadata };
}

/** A version by id (cached like the others). */
export function modelById(id: string): Promise<Loaded> {
  if (!cache.has(id)) cache.set(id, load(id).catch((err: unknown) => { cache.delete(id); throw err; }));
  return cache.get(id)!;
}

/** The id of a given version (by number), or of the promoted one; one indexed query. */
export async function servingVersionId(version?: number): Promise<string> {
  if (version !== undefined) {
    const found = await findModelVersionId(services().db, version);
    if (!found) throw new NotFoundError(`Unknown model version ${version}`);
    return found;
  }
  const promoted = await servingPromotion(services().db);
  if (!promoted) throw new NotFoundError('No model is promoted yet: promote a model version first');
  return promoted.modelVersion.id;
}

/** A given version (by number), or the promoted one, loaded here. */
export async function servingModel(version?: number): Promise<Loaded> {
  return modelById(await servingVersionId(version));
}
