import type * as tf from '@tensorflow/tfjs';
import { LRUCache } from 'lru-cache';
import { loadInferenceModel, type ModelMetadata } from '@moodlab/cnn/inference';
import { selectBackend } from '@moodlab/cnn/backend';
import { findModelVersionId, getModelVersion, servingPromotion } from '@moodlab/db';
import { NotFoundError } from '@moodlab/runs';
import { services } from './services';

/**
 * Models the server predicts with, loaded once per version. The promoted version is looked up
 * at most once a second (a query per request was a measurable share of an API call under load),
 * so a promotion takes effect within a second, without a restart.
 */
interface Loaded {
  id: string;
  version: number;
  model: tf.LayersModel;
  metadata: ModelMetadata;
}
export interface ServedArtifact {
  id: string;
  version: number;
  meta: unknown;
  data: Uint8Array;
}
const holder = globalThis as unknown as {
  __moodlabModels?: LRUCache<string, Promise<Loaded>>;
  __moodlabArtifacts?: LRUCache<string, Promise<ServedArtifact>>;
  __moodlabBackend?: Promise<unknown>;
  __moodlabPromoted?: { at: number; id: Promise<string> };
};
const PROMOTION_TTL_MS = 1000;
/**
 * Bounded, so that a server asked for many versions keeps the few in use, not all of them: the
 * least recently used model is dropped past MAX_MODELS (its tensors freed a while later, once any
 * prediction still running on it has finished).
 */
const MAX_MODELS = 4;
const MAX_ARTIFACTS = 8;
const DISPOSE_AFTER_MS = 30_000;
const cache = (holder.__moodlabModels ??= new LRUCache<string, Promise<Loaded>>({
  max: MAX_MODELS,
  dispose: (loaded) => {
    setTimeout(() => void loaded.then(({ model }) => model.dispose()).catch(() => {}), DISPOSE_AFTER_MS).unref();
  },
}));
const artifacts = (holder.__moodlabArtifacts ??= new LRUCache<string, Promise<ServedArtifact>>({ max: MAX_ARTIFACTS }));

/** A version's weights as stored, fetched once (for this process's models and the prediction threads). */
export function artifactById(id: string): Promise<ServedArtifact> {
  if (!artifacts.has(id)) {
    artifacts.set(
      id,
      getModelVersion(services().db, id)
        .then((mv) => {
          if (!mv) throw new NotFoundError(`Unknown model version id ${id}`);
          return {
            id: mv.id,
            version: mv.version,
            meta: mv.artifact.meta as unknown,
            data: new Uint8Array(mv.artifact.data),
          };
        })
        .catch((err: unknown) => {
          artifacts.delete(id);
          throw err;
        }),
    );
  }
  return artifacts.get(id)!;
}

export function ensureBackend(): Promise<unknown> {
  holder.__moodlabBackend ??= selectBackend();
  return holder.__moodlabBackend;
}

async function load(id: string): Promise<Loaded> {
  const artifact = await artifactById(id);
  await ensureBackend();
  const { model, metadata } = await loadInferenceModel(artifact.meta, artifact.data);
  return { id, version: artifact.version, model, metadata };
}

/** A version by id (cached like the others). */
export function modelById(id: string): Promise<Loaded> {
  if (!cache.has(id))
    cache.set(
      id,
      load(id).catch((err: unknown) => {
        cache.delete(id);
        throw err;
      }),
    );
  return cache.get(id)!;
}

/** The id of a given version (by number), or of the promoted one; one indexed query. */
export async function servingVersionId(version?: number): Promise<string> {
  if (version !== undefined) {
    const found = await findModelVersionId(services().db, version);
    if (!found) throw new NotFoundError(`Unknown model version ${version}`);
    return found;
  }
  const now = Date.now();
  if (!holder.__moodlabPromoted || now - holder.__moodlabPromoted.at > PROMOTION_TTL_MS) {
    const id = servingPromotion(services().db).then((promoted) => {
      if (!promoted) throw new NotFoundError('No model is promoted yet: promote a model version first');
      return promoted.modelVersion.id;
    });
    holder.__moodlabPromoted = { at: now, id };
    // A failed lookup (nothing promoted yet, database down) is not remembered.
    id.catch(() => {
      if (holder.__moodlabPromoted?.id === id) holder.__moodlabPromoted = undefined;
    });
  }
  return holder.__moodlabPromoted.id;
}

/** A given version (by number), or the promoted one, loaded here. */
export async function servingModel(version?: number): Promise<Loaded> {
  return modelById(await servingVersionId(version));
}
