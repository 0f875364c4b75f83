import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { foldBatchNorm } from './fold-batchnorm';
import { modelPreprocessingSchema } from '@moodlab/shared';

/**
 * A trained model as stored and served: TF.js layers topology and weight specs (model.json
 * without the weights path) plus the weights as one buffer. Class order and preprocessing are
 * recorded with it, so no consumer guesses them.
 */
export const modelMetadataSchema = z.object({
  classNames: z.array(z.string()).min(2),
  preprocessing: modelPreprocessingSchema,
  architecture: z.string(),
  /** Where a model came from when Moodlab did not train it (a Keras file). */
  source: z
    .object({ format: z.string(), fileName: z.string(), sha256: z.string(), kerasVersion: z.string().nullable() })
    .optional(),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;
/** Metadata as callers give it: the input layout may be left out (one channel, unflattened). */
export type ModelMetadataInput = z.input<typeof modelMetadataSchema>;

export const modelArtifactMetaSchema = z.object({
  format: z.literal('moodlab-model-v1'),
  modelTopology: z.record(z.string(), z.unknown()),
  weightSpecs: z.array(z.object({ name: z.string(), shape: z.array(z.number()), dtype: z.string() }).passthrough()),
  metadata: modelMetadataSchema,
});
export type ModelArtifactMeta = z.infer<typeof modelArtifactMetaSchema>;

export interface ModelArtifact {
  meta: ModelArtifactMeta;
  data: Uint8Array;
}

function concatWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (!data) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let off = 0;
  for (const p of parts) {
    joined.set(new Uint8Array(p), off);
    off += p.byteLength;
  }
  return joined;
}

export async function modelToArtifact(model: tf.LayersModel, metadata: ModelMetadataInput): Promise<ModelArtifact> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.modelTopology || !saved.weightSpecs) throw new Error('model could not be serialised');
  return {
    meta: {
      format: 'moodlab-model-v1',
      modelTopology: saved.modelTopology as Record<string, unknown>,
      weightSpecs: saved.weightSpecs as ModelArtifactMeta['weightSpecs'],
      metadata: modelMetadataSchema.parse(metadata),
    },
    data: concatWeightData(saved.weightData),
  };
}

export async function loadModelFromArtifact(
  metaJson: unknown,
  data: Uint8Array,
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const meta = modelArtifactMetaSchema.parse(metaJson);
  const weightData = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: meta.modelTopology,
      weightSpecs: meta.weightSpecs as tf.io.WeightsManifestEntry[],
      weightData,
    }),
  );
  return { model, metadata: meta.metadata };
}

/** A model to predict with: loaded, then folded for inference (see fold-batchnorm.ts). */
export async function loadInferenceModel(
  metaJson: unknown,
  data: Uint8Array,
): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const { model, metadata } = await loadModelFromArtifact(metaJson, data);
  return { model: await inferenceCopy(model), metadata };
}

/** The folded copy of a trained model, which it replaces (the trained one is disposed). */
export async function inferenceCopy(model: tf.LayersModel): Promise<tf.LayersModel> {
  const folded = await foldBatchNorm(model);
  if (folded !== model) model.dispose();
  return folded;
}

/** The standard TF.js layers `model.json` (for tf.loadLayersModel in a browser, or other tools). */
export function layersModelJson(meta: ModelArtifactMeta, weightsPath = 'weights.bin'): Record<string, unknown> {
  return {
    format: 'layers-model',
    generatedBy: 'moodlab',
    modelTopology: meta.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: meta.weightSpecs }],
    userDefinedMetadata: meta.metadata,
  };
}

const layersModelJsonSchema = z.object({
  format: z.literal('layers-model'),
  modelTopology: z.record(z.string(), z.unknown()),
  weightsManifest: z
    .array(z.object({ paths: z.array(z.string()), weights: modelArtifactMetaSchema.shape.weightSpecs }))
    .length(1, 'expected one weights group (weights.bin)'),
  userDefinedMetadata: modelMetadataSchema,
});

/**
 * The inverse of layersModelJson: a model.json written by `moodlab export` back to artifact
 * meta. Models without Moodlab's metadata are refused: class order and preprocessing must not
 * be guessed.
 */
export function artifactMetaFromLayersModelJson(json: unknown): ModelArtifactMeta {
  const parsed = layersModelJsonSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a Moodlab model.json: ${z.prettifyError(parsed.error)}`);
  const { modelTopology, weightsManifest, userDefinedMetadata } = parsed.data;
  return {
    format: 'moodlab-model-v1',
    modelTopology,
    weightSpecs: weightsManifest[0]!.weights,
    metadata: userDefinedMetadata,
  };
}
