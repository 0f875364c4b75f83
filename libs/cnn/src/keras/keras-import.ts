import { createHash } from 'node:crypto';
import {
  CLASS_ORDER_PRESET_NAMES,
  NORMALIZATIONS,
  preprocessingSchema,
  resolveClassOrder,
  type ClassOrder,
  type ImportedModel,
  type ModelPreprocessing,
  type Preprocessing,
} from '@moodlab/shared';
import { modelToArtifact, modelMetadataSchema, type ModelArtifact } from '../inference/model-artifact';
import { argmaxRows, predictProbabilities } from '../inference/predict';
import type { LabeledImages } from '../datasets/labeled-images';
import { buildKerasModel, type KerasModel } from './keras-model';
import { KerasFileError, readKerasFile } from './keras-file';
import { reorderOutputs } from './output-order';

/** What the import needs besides the file: what the file cannot say. */
export interface KerasImportOptions {
  fileName: string;
  /** The order of the model's outputs, as its author trained it; a file we exported says it itself. */
  classOrder?: ClassOrder;
  normalization?: Preprocessing['normalization'];
  /** Our classes in our order (the dataset's); the model's outputs are permuted to it. */
  classNames: readonly string[];
}

export interface ImportedKerasModel {
  artifact: ModelArtifact;
  architecture: string;
  imported: ImportedModel;
  preprocessing: ModelPreprocessing;
}

/** The file does not say its class order or normalisation and the caller did not either. */
export class KerasSettingsMissingError extends KerasFileError {}

/** The class order and preprocessing a file that `moodlab export` wrote records (see keras-export). */
const moodlabMetadataSchema = modelMetadataSchema.pick({ classNames: true, preprocessing: true });

/** Reads a Keras file (bytes of .h5 or .keras) into a Moodlab model artifact, in our class order. */
export async function importKerasModel(bytes: Uint8Array, options: KerasImportOptions): Promise<ImportedKerasModel> {
  const file = await readKerasFile(bytes);
  const keras = await buildKerasModel(file);
  try {
    // A file `moodlab export` wrote says its class order and normalisation itself.
    const own = moodlabMetadataSchema.safeParse(file.moodlabMetadata);
    const classOrder = own.success ? own.data.classNames : options.classOrder && resolveClassOrder(options.classOrder);
    const normalization = own.success ? own.data.preprocessing.normalization : options.normalization;
    if (!classOrder || !normalization)
      throw new KerasSettingsMissingError(
        `a Keras file does not record ${[!classOrder && 'its class order', !normalization && 'its input normalisation'].filter(Boolean).join(' or ')}: ` +
          `give the class order (${CLASS_ORDER_PRESET_NAMES.join(', ')}, or the classes in output order) and the normalisation (${NORMALIZATIONS.join(', ')})`,
      );
    if (keras.numClasses !== options.classNames.length)
      throw new KerasFileError(
        `the model has ${keras.numClasses} outputs but the dataset has ${options.classNames.length} classes (${options.classNames.join(', ')})`,
      );
    if (classOrder.length !== keras.numClasses)
      throw new KerasFileError(
        `the class order names ${classOrder.length} classes; the model has ${keras.numClasses} outputs`,
      );
    reorderOutputs(keras.model, classOrder, options.classNames);
    const preprocessing: ModelPreprocessing = {
      ...preprocessingSchema.parse({ imageSize: keras.imageSize, normalization }),
      ...keras.layout,
    };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const architecture = `keras:${architectureName(options.fileName, keras.name)}`;
    const artifact = await modelToArtifact(keras.model, {
      classNames: [...options.classNames],
      preprocessing,
      architecture,
      source: { format: file.layout, fileName: options.fileName, sha256, kerasVersion: file.kerasVersion },
    });
    const imported: ImportedModel = {
      fileName: options.fileName,
      sha256,
      layout: file.layout,
      kerasVersion: file.kerasVersion,
      classOrder: [...classOrder],
      normalization,
      settingsFrom: own.success ? 'file' : 'request',
    };
    return { artifact, architecture, imported, preprocessing };
  } finally {
    keras.model.dispose();
  }
}

/** The file's name without its extension (model names in Keras files are mostly "model_1"). */
function architectureName(fileName: string, modelName: string): string {
  const stem = fileName
    .split(/[\\/]/)
    .at(-1)!
    .replace(/\.(h5|hdf5|keras)$/i, '')
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 60);
  return stem || modelName;
}

/** One tried combination of class order and normalisation, and how it did. */
export interface SettingTrial {
  classOrder: string;
  normalization: Preprocessing['normalization'];
  accuracy: number;
}

/**
 * Tries each preset class order with each normalisation on labelled images and ranks them by
 * accuracy: a suggestion to show the user, never applied by itself.
 */
export async function suggestKerasSettings(
  bytes: Uint8Array,
  images: LabeledImages,
  classNames: readonly string[],
  limit = 600,
): Promise<SettingTrial[]> {
  const keras: KerasModel = await buildKerasModel(await readKerasFile(bytes));
  try {
    const sample = firstImages(images, limit);
    const trials: SettingTrial[] = [];
    for (const normalization of NORMALIZATIONS) {
      const p = { imageSize: keras.imageSize, normalization, ...keras.layout };
      const pred = argmaxRows(predictProbabilities(keras.model, sample, p), keras.numClasses);
      for (const preset of CLASS_ORDER_PRESET_NAMES) {
        const order = resolveClassOrder(preset);
        if (order.length !== keras.numClasses) continue;
        // Output i means order[i]; the label l means classNames[l].
        const hits = sample.labels.reduce((n, l, i) => n + (order[pred[i]!] === classNames[l] ? 1 : 0), 0);
        trials.push({ classOrder: preset, normalization, accuracy: hits / sample.labels.length });
      }
    }
    return trials.sort((a, b) => b.accuracy - a.accuracy);
  } finally {
    keras.model.dispose();
  }
}

/** The first `limit` images, spread over the split (it is stored class by class). */
function firstImages(split: LabeledImages, limit: number): LabeledImages {
  const n = split.labels.length;
  if (n <= limit) return split;
  const px = split.size * split.size;
  const images = new Uint8Array(limit * px);
  const labels = new Uint8Array(limit);
  for (let i = 0; i < limit; i++) {
    const j = Math.floor((i * n) / limit);
    images.set(split.images.subarray(j * px, (j + 1) * px), i * px);
    labels[i] = split.labels[j]!;
  }
  return { ...split, images, labels };
}
